// MirrorHalves on member images in a temp /dev: the layout read from a v1.2 superblock and its
// bitmap, another array's member not taken for ours, the filesystem at an offset, and the
// comparison's contract (only the listed chunks, a short read is a difference, never a throw).
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MirrorHalves } from '../../src/system/mirror-halves.js';
import { bitmapBitsAt, writeMember } from '../helpers/md-member.js';

const uuid = '0000000500000000000000000000abcd';
const chunk = 64 * 1024;
let dev: string;
let data: Buffer;

beforeEach(() => {
  dev = mkdtempSync(join(tmpdir(), 'baysync-mirror-halves-'));
  data = randomBytes(chunk * 4);
  writeMember(dev, 'sda2', { uuid, dataOffsetSectors: 2048, data, bitmapChunk: chunk });
  writeMember(dev, 'sdb2', { uuid, dataOffsetSectors: 4096, data });
});
afterEach(() => rmSync(dev, { recursive: true, force: true }));

function poke(name: string, at: number, bytes: Buffer): void {
  const fd = openSync(join(dev, name), 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

describe('MirrorHalves', () => {
  it("reads a member's data offset, size and bitmap; a member without a bitmap has none", async () => {
    const halves = new MirrorHalves(dev);
    const a = await halves.layout('sda2', uuid);
    expect(a).toMatchObject({ dataOffset: 2048 * 512, sizeBytes: data.length });
    expect(a?.bitmap?.chunks).toBe(4);
    expect(a?.bitmap?.bits).toHaveLength(1);
    expect(await halves.layout('sdb2', uuid)).toEqual({ dataOffset: 4096 * 512, sizeBytes: data.length });
  });

  it('opens only kernel device names under its /dev, never a path', async () => {
    await expect(new MirrorHalves(dev).layout('../sda2', uuid)).rejects.toThrow(/kernel names/);
    await expect(new MirrorHalves(dev).fsAt('/etc/shadow', 0)).rejects.toThrow(/kernel names/);
  });

  it("a member of another array is not taken for the mirror's", async () => {
    expect(await new MirrorHalves(dev).layout('sda2', 'ffff000500000000000000000000abcd')).toBeUndefined();
  });

  it('the bits read are the ones on disk', async () => {
    poke('sda2', bitmapBitsAt, Buffer.from([0b0101]));
    expect([...((await new MirrorHalves(dev).layout('sda2', uuid))?.bitmap?.bits ?? [])]).toEqual([0b0101]);
  });

  it('recognises the filesystem at an offset, and nothing where there is none', async () => {
    const xfs = Buffer.alloc(4096);
    xfs.write('XFSB', 0, 'latin1');
    xfs.writeUInt32BE(4096, 4);
    xfs.writeBigUInt64BE(1000n, 8);
    xfs.writeUInt32BE(250, 84);
    xfs.writeUInt32BE(4, 88);
    writeMember(dev, 'sda2', { uuid, dataOffsetSectors: 2048, data: Buffer.concat([xfs, data.subarray(4096)]) });
    const halves = new MirrorHalves(dev);
    expect(await halves.fsAt('sda2', 2048 * 512)).toMatchObject({ type: 'xfs', agCount: 4, blockSize: 4096 });
    expect(await halves.fsAt('sdb2', 4096 * 512)).toBeUndefined();
  });

  it('compares only the listed chunks of the two data areas and returns those that differ', async () => {
    poke('sdb2', 4096 * 512 + 2 * chunk + 5, Buffer.from('x'));
    const halves = new MirrorHalves(dev);
    const a = { dev: 'sda2', dataOffset: 2048 * 512 };
    const b = { dev: 'sdb2', dataOffset: 4096 * 512 };
    let beats = 0;
    const o = { sizeBytes: data.length, chunkBytes: chunk, beat: () => beats++ };
    expect(await halves.compare(a, b, { ...o, chunks: [0, 1, 2, 3] })).toEqual([2]);
    expect(await halves.compare(a, b, { ...o, chunks: [0, 3] })).toEqual([]);
    expect(beats).toBe(6);
  });

  it('a short read is a difference, never a throw', async () => {
    truncateSync(join(dev, 'sdb2'), 4096 * 512 + chunk + 10);
    const halves = new MirrorHalves(dev);
    const differing = await halves.compare(
      { dev: 'sda2', dataOffset: 2048 * 512 },
      { dev: 'sdb2', dataOffset: 4096 * 512 },
      { sizeBytes: data.length, chunkBytes: chunk, chunks: [0, 1, 3] },
    );
    expect(differing).toEqual([1, 3]);
  });
});
