// copy promote's plan: refused while the primary answers (unless --force), when the last copy
// did not end verified, when the target is mounted, without a configuration copy; otherwise the
// digest dropped, this host's configuration kept beside the primary's, the volume mounted.
import { describe, expect, it } from 'vitest';
import { copyReceiveSchema } from '../../src/config/copy.js';
import { type PromoteFacts, planPromote } from '../../src/copy/promote.js';
import { renderOp } from '../../src/system/op.js';

const c = copyReceiveSchema.parse({ target: '/dev/vg1/pool-copy', primary: '10.168.1.1' });
const ok: PromoteFacts = {
  primaryAnswers: false,
  verifiedAt: '2026-12-02T01:40:00.000Z',
  targetMounted: false,
  configBackupPresent: true,
  now: '2026-12-02T09:00:00.000Z',
};
const digest = '/var/lib/baysync/copy-digest.bin';

describe('copy promote', () => {
  it('refuses while the primary answers; --force takes over and says so', () => {
    const r = planPromote(c, { ...ok, primaryAnswers: true }, digest);
    expect(r).toEqual({
      refused: expect.stringMatching(/the primary 10\.168\.1\.1 still answers: two servers must not run one pool/),
    });
    const forced = planPromote(c, { ...ok, primaryAnswers: true }, digest, { force: true });
    expect('ops' in forced && forced.notes).toContain('the primary still answers; promoted anyway (--force)');
  });

  it('refuses a copy that did not end verified, a mounted target, a missing configuration copy', () => {
    expect(planPromote(c, { ...ok, verifiedAt: undefined, digestProblem: 'x: ENOENT' }, digest)).toEqual({
      refused: expect.stringMatching(/did not end verified \(x: ENOENT\)/),
    });
    expect(planPromote(c, { ...ok, targetMounted: true }, digest)).toEqual({
      refused: expect.stringMatching(/already mounted/),
    });
    expect(planPromote(c, { ...ok, configBackupPresent: false }, digest)).toEqual({
      refused: expect.stringMatching(/no configuration copy in \/var\/lib\/baysync\/backuppc-config/),
    });
  });

  it('drops the digest, keeps this host’s configuration, puts the primary’s in place, mounts the volume', () => {
    const r = planPromote(c, ok, digest);
    if (!('ops' in r)) throw new Error(r.refused);
    expect(r.ops.map(renderOp)).toEqual([
      'rm -f -- /var/lib/baysync/copy-digest.bin',
      'mv -T -- /etc/backuppc /etc/backuppc.before-promote-2026-12-02T09-00-00-000Z',
      'cp -a -T -- /var/lib/baysync/backuppc-config /etc/backuppc',
      'mkdir -p -- /var/lib/backuppc',
      'mount -- /dev/vg1/pool-copy /var/lib/backuppc',
    ]);
    expect(r.notes.at(-1)).toMatch(/start BackupPC \(systemctl start backuppc\)/);
  });
});
