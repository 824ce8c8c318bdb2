import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsAdapter, fsOps } from '../../src/system/fs.js';
import { renderOp } from '../../src/system/op.js';
import type { CommandRunner } from '../../src/system/runner.js';

describe('fsOps', () => {
  it('the copy is mounted read-only on a read-only loop at its offset, nodev,nosuid,noexec (invariant 3)', () => {
    expect(renderOp(fsOps.mountCopy('md8', 2097152, '/run/baysync/verify/A'))).toBe(
      'mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=2097152 -- /dev/md8 /run/baysync/verify/A',
    );
    expect(renderOp(fsOps.mountCopy('md8', 0, '/m', 'ext4'))).toContain(
      '-o ro,noload,nodev,nosuid,noexec,loop,offset=0 ',
    );
  });

  it('a thaw may find nothing frozen; its retry is a fallback', () => {
    expect(fsOps.thaw('/pool')).toMatchObject({ mayFail: true });
    expect(fsOps.thaw('/pool', true)).toMatchObject({ fallback: true });
  });
});

describe('FsAdapter.isMounted', () => {
  it('reads mountinfo, with its octal escapes', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(proc, 'self'));
    writeFileSync(
      join(proc, 'self/mountinfo'),
      '30 1 9:7 / /var/lib/back\\040uppc rw,relatime shared:1 - xfs /dev/md7 rw\n',
    );
    const fs = new FsAdapter({} as CommandRunner);
    expect(await fs.isMounted('/var/lib/back uppc', proc)).toBe(true);
    expect(await fs.isMounted('/var/lib/backuppc', proc)).toBe(false);
  });
});
