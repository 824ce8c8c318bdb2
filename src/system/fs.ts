// Filesystem adapter: whether a path is mounted (read from mountinfo), and the operations that
// sync, freeze, thaw and remount a filesystem or mount a detached copy, as data (fsOps).
// Contract: argv only, `--` before operands from the config; the read-only mount always passes
// read-only flags (invariant 3): ro,norecovery,nouuid (xfs) or ro,noload, with nodev,nosuid,noexec,
// and maps the device read-only through mount's own loop option at the filesystem's offset.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { devPath } from '../util/names.js';
import { type Op, run } from './op.js';
import { parseMountinfo } from './parsers/mountinfo.js';
import type { CommandRunner } from './runner.js';

export class FsAdapter {
  constructor(private readonly runner: CommandRunner) {}

  /** Is something mounted on `path`? Read from mountinfo (no process spawned). */
  async isMounted(path: string, proc = '/proc'): Promise<boolean> {
    try {
      const info = await readFile(join(proc, 'self', 'mountinfo'), 'utf8');
      return parseMountinfo(info).some((m) => m.mountpoint === path);
    } catch {
      return this.isMountpoint(path);
    }
  }

  /** Loop devices backed by `dev` (losetup --associated), e.g. left by an interrupted check. */
  async loopsOf(dev: string): Promise<string[]> {
    const r = await this.runner.run(
      ['losetup', '--list', '--noheadings', '--output', 'NAME', '--associated', devPath(dev)],
      { allowFailure: true, quiet: true, timeoutMs: 10_000 },
    );
    return r.exitCode === 0
      ? r.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.startsWith('/dev/loop'))
      : [];
  }

  async isMountpoint(path: string): Promise<boolean> {
    const r = await this.runner.run(['mountpoint', '-q', path], { allowFailure: true, quiet: true, timeoutMs: 10_000 });
    return r.exitCode === 0;
  }
}

export const fsOps = {
  sync: (): Op => run(['sync'], 600_000),
  freeze: (mountpoint: string): Op => run(['fsfreeze', '--freeze', '--', mountpoint], 600_000),
  /** Thaw; "not frozen" (EINVAL) is fine, so a repeated thaw after a crash is harmless (the step reads stderr). */
  thaw: (mountpoint: string, fallback = false): Op =>
    run(['fsfreeze', '--unfreeze', '--', mountpoint], 60_000, { mayFail: !fallback, fallback }),
  remount: (mountpoint: string, mode: 'ro' | 'rw'): Op =>
    run(['mount', '-o', `remount,${mode}`, '--', mountpoint], 600_000),
  /**
   * Mount a copy read-only (invariant 3): the loop device is made by mount itself, read-only
   * because the mount is (util-linux sets LO_FLAGS_READ_ONLY for a ro loop mount), at the byte
   * offset where the filesystem starts, and released by the umount.
   */
  mountCopy: (dev: string, offsetBytes: number, mountpoint: string, fstype = 'xfs'): Op =>
    run(
      [
        'mount',
        '-t',
        fstype,
        '-o',
        `${fstype === 'xfs' ? 'ro,norecovery,nouuid' : 'ro,noload'},nodev,nosuid,noexec,loop,offset=${offsetBytes}`,
        '--',
        devPath(dev),
        mountpoint,
      ],
      120_000,
    ),
  umount: (mountpoint: string): Op => run(['umount', '--', mountpoint], 120_000),
  /** A read-only loop device over the copy at the filesystem's offset, for the check (invariant 3). */
  loopCopy: (dev: string, offsetBytes: number): Op =>
    run(['losetup', '--find', '--show', '--read-only', `--offset=${offsetBytes}`, '--', devPath(dev)], 60_000),
  detachLoop: (loop: string): Op => run(['losetup', '--detach', loop], 60_000, { mayFail: true }),
  /** The no-modify check of a filesystem (exit 1 = damage found; the step reads it). */
  fsck: (type: 'xfs' | 'ext4', dev: string): Op =>
    run(type === 'xfs' ? ['xfs_repair', '-n', '--', dev] : ['e2fsck', '-f', '-n', '--', dev], 3600_000, {
      mayFail: true,
    }),
  /** Drop the page cache of block devices md writes behind its back (a member's data and bitmap). */
  flushBuffers: (devs: string[]): Op => run(['blockdev', '--flushbufs', ...devs.map(devPath)], 60_000),
};
