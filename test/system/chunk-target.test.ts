// ChunkTarget on files: the size of a regular file (through a symlink, as /dev/vg/lv is one),
// writes only inside it, read-back, and refusals: no target is created, and a directory or a
// character device is not a target.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkTarget } from '../../src/system/chunk-target.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baysync-target-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ChunkTarget', () => {
  it('opens a file through a symlink with its size, writes inside it and reads it back', async () => {
    writeFileSync(join(dir, 'lv'), Buffer.alloc(8192));
    symlinkSync(join(dir, 'lv'), join(dir, 'link'));
    const t = await ChunkTarget.open(join(dir, 'link'));
    try {
      expect(t.bytes).toBe(8192);
      await t.write(4096, Buffer.from('chunk'));
      await t.sync();
      expect((await t.readBack(4096, 5)).toString()).toBe('chunk');
      await expect(t.write(8190, Buffer.from('xyz'))).rejects.toThrow(RangeError);
      await expect(t.write(-1, Buffer.from('x'))).rejects.toThrow(RangeError);
    } finally {
      await t.close();
    }
    expect(readFileSync(join(dir, 'lv')).subarray(4096, 4101).toString()).toBe('chunk');
  });

  it('never creates a target, and refuses a directory or a character device', async () => {
    await expect(ChunkTarget.open(join(dir, 'absent'))).rejects.toThrow(/ENOENT/);
    await expect(ChunkTarget.open(dir)).rejects.toThrow(/neither a block device nor a regular file/);
    await expect(ChunkTarget.open('/dev/null')).rejects.toThrow(/neither a block device nor a regular file/);
  });
});

// A real block device: a loop device over a scratch file (root and losetup needed, else skipped).
const loopable = process.getuid?.() === 0 && spawnSync('losetup', ['--version']).status === 0;
describe.skipIf(!loopable)('ChunkTarget on a loop device', () => {
  it('takes its size from sysfs and holds it exclusively: a second writer (or a mount) is refused', async () => {
    writeFileSync(join(dir, 'img'), Buffer.alloc(3 * 1024 * 1024));
    const loop = spawnSync('losetup', ['--find', '--show', '--', join(dir, 'img')], { encoding: 'utf8' }).stdout.trim();
    try {
      const t = await ChunkTarget.open(loop);
      try {
        expect(t.bytes).toBe(3 * 1024 * 1024);
        await expect(ChunkTarget.open(loop)).rejects.toThrow(/is in use: mounted, or held by md/);
        await t.write(1024 * 1024, Buffer.from('on the device'));
        await t.sync();
      } finally {
        await t.close();
      }
    } finally {
      spawnSync('losetup', ['--detach', loop]);
    }
    expect(
      readFileSync(join(dir, 'img'))
        .subarray(1024 * 1024, 1024 * 1024 + 13)
        .toString(),
    ).toBe('on the device');
  });
});
