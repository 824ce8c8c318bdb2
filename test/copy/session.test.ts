// Both ends of a copy session in one process over two streams, as over ssh's stdin and stdout:
// a full copy, a changed pass, a receiver that refuses a target too small or in use, and a
// shared key that must match on both ends.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDigest, TargetDigest } from '../../src/copy/digest.js';
import type { Geometry } from '../../src/copy/frame.js';
import { type ReceiverSide, runSend, type SenderSide, serveReceive, type Write } from '../../src/copy/session.js';

const g: Geometry = { volumeBytes: 16 * 65536 + 5, chunkBytes: 65536 };

const writer =
  (s: PassThrough): Write =>
  async (bufs) => {
    for (const b of bufs) if (!s.write(b)) await new Promise((r) => s.once('drain', r));
  };

/** A receiver whose target is `disk` and whose digest file is `saved` (as bytes). */
function receiver(disk: Buffer, saved: { bytes?: Buffer }, o: Partial<ReceiverSide> = {}): ReceiverSide {
  return {
    openTarget: async () => ({
      bytes: disk.length,
      write: async (off, d) => void d.copy(disk, off),
      sync: async () => undefined,
      readBack: async (off, l) => Buffer.from(disk.subarray(off, off + l)),
      close: async () => undefined,
    }),
    loadDigest: (geo) => (saved.bytes ? parseDigest(saved.bytes, geo).digest : undefined) ?? new TargetDigest(geo),
    persist: (d) => {
      saved.bytes = d.serialize();
    },
    batchBytes: 16 * 1024,
    ...o,
  };
}

async function session(vol: Buffer, recv: ReceiverSide, send: Partial<SenderSide> = {}) {
  const toB = new PassThrough();
  const toA = new PassThrough();
  const sender = runSend(toA, writer(toB), {
    ...g,
    source: { read: async (off, l) => Buffer.from(vol.subarray(off, off + l)) },
    ...send,
  }).finally(() => toB.end());
  const served = serveReceive(toB, writer(toA), recv).finally(() => toA.end());
  return Promise.all([sender, served]);
}

describe('copy session', () => {
  it('copies the whole volume, then only what changed, with the digest kept between runs', async () => {
    const vol = randomBytes(g.volumeBytes);
    const disk = Buffer.alloc(g.volumeBytes + 100);
    const saved: { bytes?: Buffer } = {};
    const [a, b] = await session(vol, receiver(disk, saved));
    expect(a).toMatchObject({ sent: { chunksSent: 17 }, known: 0, result: { ok: true, chunksWritten: 17 } });
    expect(b).toMatchObject({ ok: true });
    expect(disk.subarray(0, g.volumeBytes).equals(vol)).toBe(true);
    vol.write('changed', 40_000);
    const [a2] = await session(vol, receiver(disk, saved));
    expect(a2).toMatchObject({ sent: { chunksSent: 1 }, known: 17, result: { ok: true, chunksWritten: 1 } });
    expect(disk.subarray(0, g.volumeBytes).equals(vol)).toBe(true);
    expect(parseDigest(saved.bytes!, g).digest?.state.completeAt).toMatch(/^\d{4}-/);
  });

  it("thin_delta's chunks are used only when the secondary holds a whole verified copy; otherwise every chunk is read", async () => {
    const vol = randomBytes(g.volumeBytes);
    const disk = Buffer.alloc(g.volumeBytes);
    const saved: { bytes?: Buffer } = {};
    await session(vol, receiver(disk, saved));
    vol.write('changed', 3 * 65536);
    const [thin] = await session(vol, receiver(disk, saved), { changed: [3] });
    expect(thin).toMatchObject({ sent: { bytesRead: 65536, chunksSent: 1 }, result: { ok: true } });
    expect(thin).not.toHaveProperty('readAll');
    // The secondary's digest lost its "complete" mark (a run failed there since): read it all.
    const d = parseDigest(saved.bytes!, g).digest!;
    d.state = {};
    saved.bytes = d.serialize();
    vol.write('again', 9 * 65536);
    const [all] = await session(vol, receiver(disk, saved), { changed: [3] });
    expect(all).toMatchObject({
      readAll: 'the secondary holds no whole verified copy',
      sent: { bytesRead: g.volumeBytes, chunksSent: 1 },
      result: { ok: true },
    });
    expect(disk.equals(vol)).toBe(true);
  });

  it('a target smaller than the source, or one in use, is refused before anything is written', async () => {
    const vol = randomBytes(g.volumeBytes);
    const small = Buffer.alloc(g.volumeBytes - 1);
    const [a, b] = await session(vol, receiver(small, {}));
    expect(a).toEqual({
      refused: `the target has ${g.volumeBytes - 1} bytes, fewer than the source's ${g.volumeBytes}`,
    });
    expect(b).toEqual(a);
    expect(small.equals(Buffer.alloc(g.volumeBytes - 1))).toBe(true);
    const inUse = receiver(
      Buffer.alloc(g.volumeBytes),
      {},
      {
        openTarget: async () => {
          throw new Error('/dev/vg1/copy is in use: mounted');
        },
      },
    );
    expect((await session(vol, inUse))[0]).toEqual({ refused: '/dev/vg1/copy is in use: mounted' });
  });

  it('with a shared key, a sender without the same key is refused before it learns anything', async () => {
    const vol = randomBytes(g.volumeBytes);
    const disk = Buffer.alloc(g.volumeBytes);
    const saved: { bytes?: Buffer } = {};
    const key = randomBytes(32);
    for (const other of [randomBytes(32), undefined]) {
      const [a] = await session(vol, receiver(disk, saved, { key }), other ? { key: other } : {});
      expect(a).toEqual({ refused: expect.stringMatching(/not signed with the shared key/) });
    }
    expect(disk.equals(Buffer.alloc(g.volumeBytes))).toBe(true);
    expect(saved.bytes).toBeUndefined(); // not even the digest was touched
    const [ok] = await session(vol, receiver(disk, saved, { key }), { key });
    expect(ok).toMatchObject({ result: { ok: true, chunksWritten: 17, mac: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(disk.equals(vol)).toBe(true);
  });

  it('a session that sends no valid frame leaves a complete copy marked complete', async () => {
    const vol = randomBytes(g.volumeBytes);
    const disk = Buffer.alloc(g.volumeBytes);
    const saved: { bytes?: Buffer } = {};
    await session(vol, receiver(disk, saved));
    const before = saved.bytes!;
    // A receiver whose key the sender does not have: every frame fails its MAC.
    const r = receiver(disk, saved);
    const toB = new PassThrough();
    const toA = new PassThrough();
    const served = serveReceive(toB, writer(toA), r);
    const { encodeMessage } = await import('../../src/copy/hello.js');
    toB.write(encodeMessage({ kind: 'ask', ...g }));
    toB.end(Buffer.alloc(200, 7)); // garbage where the first frame should be
    expect(await served).toMatchObject({ ok: false, chunksWritten: 0 });
    expect(saved.bytes!.equals(before)).toBe(true);
    expect(parseDigest(saved.bytes!, g).digest?.state.completeAt).toMatch(/^\d{4}-/);
  });
});
