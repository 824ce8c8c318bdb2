// Filesystem adapter: sync, fsfreeze, remount, read-only mounts and read-only loop maps.
// Contract: argv only; the read-only helpers always pass read-only flags (invariant 3):
// mount gets ro,norecovery,nouuid and losetup gets --read-only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from './runner.js';
import { parseMountinfo } from './parsers/mountinfo.js';
import { devPath, kernelNameFromPath } from '../util/names.js';

export class FsAdapter {
  constructor(private readonly runner: CommandRunner) {}

  async sync(): Promise<void> {
    await this.runner.run(['sync'], { timeoutMs: 600_000 });
  }

  async freeze(mountpoint: string): Promise<void> {
    await this.runner.run(['fsfreeze', '--freeze', mountpoint], { timeoutMs: 600_000 });
  }

  /** Thaw; "not frozen" (EINVAL) is fine, so a repeated thaw after a crash is harmless. */
  async thaw(mountpoint: string): Promise<void> {
    const r = await this.runner.run(['fsfreeze', '--unfreeze', mountpoint], { timeoutMs: 60_000, allowFailure: true });
    if (r.exitCode !== 0 && !/Invalid argument|not frozen/i.test(r.stderr)) {
      await this.runner.run(['fsfreeze', '--unfreeze', mountpoint], { timeoutMs: 60_000 });
    }
  }

  async remount(mountpoint: string, mode: 'ro' | 'rw'): Promise<void> {
    await this.runner.run(['mount', '-o', `remount,${mode}`, mountpoint], { timeoutMs: 600_000 });
  }

  /** Is something mounted on `path`? Read from mountinfo (no process spawned). */
  async isMounted(path: string, proc = '/proc'): Promise<boolean> {
    try {
      const info = await readFile(join(proc, 'self', 'mountinfo'), 'utf8');
      return parseMountinfo(info).some((m) => m.mountpoint === path);
    } catch {
      return this.isMountpoint(path);
    }
  }

  async isMountpoint(path: string): Promise<boolean> {
    const r = await this.runner.run(['mountpoint', '-q', path], { allowFailure: true, quiet: true, timeoutMs: 10_000 });
    return r.exitCode === 0;
  }

  /** Map a block device read-only at a byte offset; returns the loop device name (e.g. loop0). */
  async loopReadOnly(dev: string, offsetBytes: number): Promise<string> {
    const r = await this.runner.run(['losetup', '--read-only', '--find', '--show', `--offset=${offsetBytes}`, devPath(dev)], { timeoutMs: 30_000 });
    return kernelNameFromPath(r.stdout.trim(), 'loop device');
  }

  async loopDetach(loop: string): Promise<void> {
    await this.runner.run(['losetup', '--detach', devPath(loop)], { timeoutMs: 30_000, allowFailure: true });
  }

  /** Loop devices currently backed by the given device (for cleanup after a crash). */
  async loopsOf(dev: string): Promise<string[]> {
    const r = await this.runner.run(['losetup', '--noheadings', '--output', 'NAME', '--associated', devPath(dev)], { allowFailure: true, quiet: true, timeoutMs: 10_000 });
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => kernelNameFromPath(l, 'loop device'));
  }

  async mountReadOnly(dev: string, mountpoint: string, fstype = 'xfs'): Promise<void> {
    const opts = fstype === 'xfs' ? 'ro,norecovery,nouuid' : 'ro,noload';
    await this.runner.run(['mkdir', '-p', mountpoint], { timeoutMs: 10_000 });
    await this.runner.run(['mount', '-t', fstype, '-o', opts, devPath(dev), mountpoint], { timeoutMs: 120_000 });
  }

  async umount(mountpoint: string): Promise<void> {
    await this.runner.run(['umount', mountpoint], { timeoutMs: 120_000 });
  }
}
