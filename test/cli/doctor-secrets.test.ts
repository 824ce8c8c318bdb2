import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSecrets, secretFiles } from '../../src/cli/doctor-secrets.js';
import { parseConfigText } from '../../src/config/load.js';

const standby = parseConfigText('s', readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8'));

describe('doctor: secrets readable by others', () => {
  const stat = (modes: Record<string, { mode: number; uid: number }>) => (p: string) => {
    const m = modes[p];
    if (!m) throw new Error('ENOENT');
    return m;
  };

  it('warns on a config or key readable by group or others, or not owned by root, with the fix', () => {
    const f = checkSecrets(
      [
        { path: '/etc/baysync/baysync.toml', what: 'the configuration' },
        { path: '/etc/baysync/sync_ed25519', what: "the sync's ssh key" },
        { path: '/etc/baysync/pw', what: 'the SMTP password file' },
        { path: '/etc/baysync/missing', what: 'x' },
      ],
      stat({
        '/etc/baysync/baysync.toml': { mode: 0o100644, uid: 0 },
        '/etc/baysync/sync_ed25519': { mode: 0o100600, uid: 0 },
        '/etc/baysync/pw': { mode: 0o100600, uid: 1000 },
      }) as never,
    );
    expect(f).toEqual([
      {
        level: 'warn',
        check: 'secret /etc/baysync/baysync.toml',
        detail: 'the configuration is readable by its group and others (mode 644)',
        fix: 'chown root:root -- /etc/baysync/baysync.toml && chmod 600 -- /etc/baysync/baysync.toml',
      },
      { level: 'ok', check: 'secret /etc/baysync/sync_ed25519', detail: "the sync's ssh key: mode 600, root" },
      expect.objectContaining({ level: 'warn', detail: 'the SMTP password file is owned by uid 1000, not root' }),
    ]);
  });

  it("lists the config, the SMTP password file and each job's keys", () => {
    const paths = secretFiles(standby, '/etc/baysync/baysync.toml').map((x) => x.path);
    expect(paths[0]).toBe('/etc/baysync/baysync.toml');
    expect(paths).toContain(standby.realtime!.remote.ssh_key);
  });
});
