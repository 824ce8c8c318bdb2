// The receiver's last word on a verified copy (issue 13): whether its target holds a filesystem
// the secondary could mount, by the no-modify check of that filesystem (`xfs_repair -n`,
// `e2fsck -f -n`) on the target itself, closed by the copy before. Contract: never writes; a
// target with no XFS or ext4 at its start is a failed check (the pool's volume must hold one);
// the verdict's detail is at most 2000 characters (it travels in the signed result).
import { ChunkTarget } from '../system/chunk-target.js';
import { parseFsSuper } from '../system/parsers/fs-superblock.js';
import { fsckVerdict } from '../system/parsers/fsck-output.js';
import type { CommandRunner } from '../system/runner.js';
import type { FsckResult } from './session.js';

export async function checkTargetFs(runner: CommandRunner, path: string, sysfs: string): Promise<FsckResult> {
  const t = await ChunkTarget.open(path, sysfs, { readOnly: true });
  let head: Buffer;
  try {
    head = await t.read(0, Math.min(t.bytes, 65536));
  } finally {
    await t.close();
  }
  const fs = parseFsSuper(head);
  if (!fs)
    return {
      tool: 'none',
      ok: false,
      detail: 'no XFS or ext4 filesystem at the start of the target: it could not be mounted as the pool',
    };
  // xfs_repair takes an image file only with -f.
  const argv =
    fs.type === 'xfs'
      ? ['xfs_repair', '-n', ...(t.kind === 'file' ? ['-f'] : []), '--', path]
      : ['e2fsck', '-f', '-n', '--', path];
  const r = await runner.run(argv, { allowFailure: true, timeoutMs: 6 * 3600_000 });
  const v = fsckVerdict(fs.type, r.exitCode, r.stdout + r.stderr);
  return { ...v, detail: v.detail.slice(0, 2000) };
}
