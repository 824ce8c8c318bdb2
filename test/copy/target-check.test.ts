// The receiver's filesystem check of its target, with the real tools on image files: no
// filesystem fails, a clean ext4 passes, a damaged one fails with its findings, and an XFS image
// is checked with -f (the image-file flag), never written.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTargetFs } from '../../src/copy/target-check.js';
import { ExecRunner } from '../../src/system/runner.js';

const has = (cmd: string): boolean => spawnSync(cmd, ['-V']).error === undefined;
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const image = (mb: number): string => {
  dir = mkdtempSync(join(tmpdir(), 'tcheck-'));
  const f = join(dir, 'target.img');
  spawnSync('truncate', ['-s', `${mb}M`, f]);
  return f;
};
const sum = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

describe.skipIf(!has('mkfs.ext4'))('checkTargetFs', () => {
  it('no filesystem at the start: failed, and why', async () => {
    const f = image(4);
    expect(await checkTargetFs(new ExecRunner(), f, '/sys')).toEqual({
      tool: 'none',
      ok: false,
      detail: 'no XFS or ext4 filesystem at the start of the target: it could not be mounted as the pool',
    });
  });

  it('a clean ext4 passes; damage fails with the findings; the target is never written', async () => {
    const f = image(32);
    spawnSync('mkfs.ext4', ['-q', '-F', f]);
    const before = sum(f);
    expect(await checkTargetFs(new ExecRunner(), f, '/sys')).toMatchObject({ tool: 'e2fsck -fn', ok: true });
    expect(sum(f)).toBe(before);
    spawnSync('debugfs', ['-w', '-R', 'sif <2> links_count 7', f]);
    const damaged = sum(f);
    const v = await checkTargetFs(new ExecRunner(), f, '/sys');
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^e2fsck -fn found damage \(exit 4\): .*Inode 2 ref count is 7/);
    expect(sum(f)).toBe(damaged);
  });

  it.skipIf(!has('mkfs.xfs'))('an XFS image is checked with -f and passes clean', async () => {
    const f = image(320);
    spawnSync('mkfs.xfs', ['-q', '-f', f]);
    expect(await checkTargetFs(new ExecRunner(), f, '/sys')).toEqual({
      tool: 'xfs_repair -n',
      ok: true,
      detail: 'xfs_repair -n: clean',
    });
  });
});
