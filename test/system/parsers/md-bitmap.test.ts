// The on-disk write-intent bitmap parser: the superblock fields md-bitmap.c writes, and the
// little-endian bit order of the bits after it.
import { describe, expect, it } from 'vitest';
import { bitmapMagic, bitSet, parseBitmapSuper, setBits } from '../../../src/system/parsers/md-bitmap.js';

describe('md bitmap', () => {
  it('reads chunk size and covered sectors, counts the chunks, and refuses other magic', () => {
    const b = Buffer.alloc(256);
    b.writeUInt32LE(bitmapMagic, 0);
    b.writeUInt32LE(4, 4);
    b.writeBigUInt64LE(7n, 24);
    b.writeBigUInt64LE(BigInt((440 * 1024 * 1024) / 512), 40);
    b.writeUInt32LE(1024 * 1024, 52);
    expect(parseBitmapSuper(b)).toMatchObject({ version: 4, events: 7, chunkBytes: 1048576, chunks: 440 });
    expect(parseBitmapSuper(Buffer.alloc(256))).toBeUndefined();
  });

  it('bit i is bit i%8 of byte i/8', () => {
    const bits = Uint8Array.from([0b0000_0101, 0b1000_0000]);
    expect(setBits(bits, 16)).toEqual([0, 2, 15]);
    expect(bitSet(bits, 1)).toBe(false);
  });
});
