// The receiver's digest: unknown entries never match, it round-trips through its file, and a
// file of another geometry or a damaged one is refused (every chunk is then sent again).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDigest, TargetDigest } from '../../src/copy/digest.js';
import { sha256, volumeDigest } from '../../src/copy/frame.js';

const g = { volumeBytes: 4 * 1024 * 1024 + 1, chunkBytes: 1024 * 1024 };

describe('target digest', () => {
  it('knows only the chunks recorded; an unknown entry matches no hash, not even all zeros', () => {
    const d = new TargetDigest(g);
    expect(d.chunks).toBe(5);
    expect(d.same(0, Buffer.alloc(32))).toBe(false);
    const h = sha256(Buffer.from('a'));
    d.set(3, h);
    expect(d.same(3, h)).toBe(true);
    expect(d.same(3, sha256(Buffer.from('b')))).toBe(false);
    expect(d.known()).toBe(1);
    expect(d.volumeDigest()).toBeUndefined();
    expect(() => d.set(5, h)).toThrow(RangeError);
  });

  it('the volume digest, once every chunk is known, equals the one the sender computes', () => {
    const d = new TargetDigest(g);
    const hashes = Array.from({ length: 5 }, () => randomBytes(32));
    for (const [i, h] of hashes.entries()) d.set(i, h);
    expect(d.volumeDigest()?.equals(volumeDigest(g, hashes))).toBe(true);
    expect(d.volumeDigest()?.equals(volumeDigest({ ...g, chunkBytes: 2 * 1024 * 1024 }, hashes))).toBe(false);
  });

  it('round-trips through its file with its state', () => {
    const d = new TargetDigest(g, { snapshot: 'pool-baysync-copy', completeAt: '2026-12-02T02:00:00Z' });
    d.set(1, randomBytes(32));
    const back = parseDigest(d.serialize(), g).digest!;
    expect(back.state).toEqual(d.state);
    expect(back.hashes.equals(d.hashes)).toBe(true);
  });

  it('refuses a digest of another geometry, a truncated one and one that is not a digest', () => {
    const bytes = new TargetDigest(g).serialize();
    expect(parseDigest(bytes, { ...g, volumeBytes: g.volumeBytes + 1 }).problem).toMatch(/describes/);
    expect(parseDigest(bytes.subarray(0, bytes.length - 1), g).problem).toMatch(/bytes of hashes/);
    expect(parseDigest(Buffer.from('hello\n'), g).problem).toMatch(/not a baysync copy digest/);
    expect(parseDigest(Buffer.from('baysync-copy-digest 1 {x\n'), g).problem).toMatch(/damaged/);
  });
});
