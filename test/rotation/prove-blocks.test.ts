// The block-level proof against two member images in a temp /dev: md v1.2 superblocks with a
// write-intent bitmap on the live half, data areas at different offsets, chunks of 64 KiB.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseChunks, proveBlocks } from '../../src/rotation/prove-blocks.js';
import { MirrorHalves } from '../../src/system/mirror-halves.js';
import { bitmapBitsAt, writeMember } from '../helpers/md-member.js';

const uuid = '0000000500000000000000000000abcd';
const chunk = 64 * 1024;
const chunks = 16;
let dev: string;
let data: Buffer;

function member(name: string, dataOffsetSectors: number, bitmap: boolean): void {
  writeMember(dev, name, { uuid, dataOffsetSectors, data, bitmapChunk: bitmap ? chunk : undefined });
}

function poke(name: string, at: number, bytes: Buffer): void {
  const fd = openSync(join(dev, name), 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}
/** The pool writes chunk i on the live half: bitmap bit first (write intent), then the data. */
function poolWrites(i: number): void {
  const bits = readFileSync(join(dev, 'md3')).subarray(bitmapBitsAt, bitmapBitsAt + 2);
  bits[i >> 3]! |= 1 << (i & 7);
  poke('md3', bitmapBitsAt, Buffer.from(bits));
  poke('md3', 4096 * 512 + i * chunk + 100, Buffer.from('new data'));
}

const input = (halves = new MirrorHalves(dev), share = 100) => ({
  halves,
  mirrorUuid: uuid,
  copyDev: 'md8',
  liveDev: 'md3',
  sharePercent: share,
  fsOffset: 2048 * 512,
  fs: undefined,
});

beforeEach(() => {
  dev = mkdtempSync(join(tmpdir(), 'baysync-halves-'));
  data = randomBytes(chunk * chunks);
  member('md8', 2048, true); // the copy
  member('md3', 4096, true); // the live half: another data offset
});
afterEach(() => rmSync(dev, { recursive: true, force: true }));

describe('block-level proof of a detached copy', () => {
  it('an untouched copy is proved whole', async () => {
    expect(await proveBlocks(input())).toMatchObject({
      chunks,
      proved: chunks,
      provedBytes: chunk * chunks,
      skipped: 0,
      damaged: [],
    });
  });

  it('the corrupted copy fails: a chunk that differs although the bitmap says unwritten is damage', async () => {
    poke('md8', 2048 * 512 + 5 * chunk + 7, Buffer.from('corrupt'));
    const p = await proveBlocks(input());
    expect(p.damaged).toEqual([5]);
    expect(p.proved).toBe(chunks - 1);
  });

  it('chunks the pool wrote since the split are skipped, not blamed', async () => {
    poolWrites(3);
    poolWrites(12);
    expect(await proveBlocks(input())).toMatchObject({ proved: chunks - 2, skipped: 2, damaged: [] });
  });

  it('a chunk written while it is compared is skipped: the bitmap is read again afterwards', async () => {
    class Racing extends MirrorHalves {
      override async compare(...args: Parameters<MirrorHalves['compare']>): Promise<number[]> {
        poolWrites(9); // lands after the first bitmap read, before the comparison
        return super.compare(...args);
      }
    }
    expect(await proveBlocks(input(new Racing(dev)))).toMatchObject({ proved: chunks - 1, skipped: 1, damaged: [] });
  });

  it('the bitmap is read again past the page cache (found in the lab: a stale re-read blamed a chunk written meanwhile)', async () => {
    // The first read of the live half's bitmap is cached, as the block device's page cache does;
    // md writes the bitmap behind it, so only a refresh (blockdev --flushbufs) shows new bits.
    class Cached extends MirrorHalves {
      cached: Awaited<ReturnType<MirrorHalves['layout']>> | undefined;
      override async layout(d: string, u: string): ReturnType<MirrorHalves['layout']> {
        if (d !== 'md3') return super.layout(d, u);
        this.cached ??= await super.layout(d, u);
        return this.cached;
      }
      override async compare(...args: Parameters<MirrorHalves['compare']>): Promise<number[]> {
        poolWrites(9);
        return super.compare(...args);
      }
    }
    const halves = new Cached(dev);
    const refresh = async (): Promise<void> => {
      halves.cached = undefined;
    };
    expect(await proveBlocks({ ...input(halves), refresh })).toMatchObject({ skipped: 1, damaged: [] });
  });

  it('without a bitmap on the live half nothing is proved, and it says why', async () => {
    member('md3', 4096, false);
    const p = await proveBlocks(input());
    expect(p.provedBytes).toBe(0);
    expect(p.note).toMatch(/no write-intent bitmap/);
  });

  it('a share compares that many chunks at random, always with the metadata chunks', async () => {
    const p = await proveBlocks(input(undefined, 25));
    expect(p.proved).toBe(4);
    const picked = chooseChunks(100, 10, [0, 42, 99], () => 0.5);
    expect(picked).toHaveLength(10);
    expect(picked).toEqual(expect.arrayContaining([0, 42, 99]));
  });
});
