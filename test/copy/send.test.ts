// The sending end against the real receiving end in one process, over a stream with
// backpressure: a full pass, a pass after 1 % of the chunks changed (bytes sent = the changed
// chunks plus framing), reads in order and once each, bounded read-ahead, and an abort.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TargetDigest } from '../../src/copy/digest.js';
import { chunkCount, frameHeadBytes, type Session } from '../../src/copy/frame.js';
import { receiveCopy } from '../../src/copy/receive.js';
import { type ChunkSource, sendCopy } from '../../src/copy/send.js';

const g = { volumeBytes: 200 * 1024 + 77, chunkBytes: 1024 };
const n = chunkCount(g);

/** An in-memory volume that records its reads and the most reads in flight at once. */
function memSource(vol: Buffer) {
  const offsets: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const source: ChunkSource = {
    read: async (offset, length) => {
      offsets.push(offset);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return Buffer.from(vol.subarray(offset, offset + length));
    },
  };
  return { source, offsets, maxInFlight: () => maxInFlight };
}

/** A memory target for the receiver. */
function memTarget(bytes: number) {
  const disk = Buffer.alloc(bytes);
  return {
    disk,
    write: async (o: number, d: Buffer) => void d.copy(disk, o),
    sync: async () => undefined,
    readBack: async (o: number, l: number) => Buffer.from(disk.subarray(o, o + l)),
  };
}

async function copy(
  vol: Buffer,
  digest: TargetDigest,
  disk: ReturnType<typeof memTarget>,
  signal?: AbortSignal,
  changed?: number[],
) {
  const s: Session = { ...g, nonce: randomBytes(16) };
  const link = new PassThrough({ highWaterMark: 4096 });
  const write = async (bufs: Buffer[]) => {
    for (const b of bufs) if (!link.write(b)) await new Promise((r) => link.once('drain', r));
  };
  const src = memSource(vol);
  const receiving = receiveCopy(link, { session: s, target: disk, digest, persist: () => undefined, batchBytes: 8192 });
  const sending = sendCopy({
    session: s,
    source: src.source,
    remoteHash: (i) => digest.get(i),
    write,
    signal,
    ...(changed ? { changed } : {}),
  }).finally(() => link.end());
  const [sent, received] = await Promise.allSettled([sending, receiving]);
  return { sent, received, src };
}

describe('sending a copy', () => {
  it('a full pass, then a pass after 1 % of the chunks changed sends only those', async () => {
    const vol = randomBytes(g.volumeBytes);
    const digest = new TargetDigest(g);
    const disk = memTarget(g.volumeBytes);
    const first = await copy(vol, digest, disk);
    expect(first.sent).toMatchObject({
      status: 'fulfilled',
      value: { chunks: n, chunksSent: n, bytesRead: g.volumeBytes },
    });
    expect(first.received).toMatchObject({ status: 'fulfilled', value: { ok: true, chunksWritten: n } });
    expect(disk.disk.equals(vol)).toBe(true);
    expect(first.src.offsets).toEqual([...Array(n).keys()].map((i) => i * g.chunkBytes));
    expect(first.src.maxInFlight()).toBeLessThanOrEqual(4);
    for (const i of [3, 150]) vol.write('x', i * g.chunkBytes + 9);
    const second = await copy(vol, digest, disk);
    const v = (second.sent as PromiseFulfilledResult<{ chunksSent: number; bytesSent: number }>).value;
    expect(v.chunksSent).toBe(2);
    expect(v.bytesSent).toBe(2 * (frameHeadBytes + g.chunkBytes) + frameHeadBytes);
    expect(second.received).toMatchObject({ status: 'fulfilled', value: { ok: true, chunksWritten: 2 } });
    expect(disk.disk.equals(vol)).toBe(true);
  });

  it('an abort stops the sender; the receiver sees a stream without its end and the copy stays incomplete', async () => {
    const vol = randomBytes(g.volumeBytes);
    const digest = new TargetDigest(g);
    const stop = new AbortController();
    const disk = memTarget(g.volumeBytes);
    setImmediate(() => stop.abort());
    const r = await copy(vol, digest, disk, stop.signal);
    expect(r.sent.status).toBe('rejected');
    expect(r.received).toMatchObject({
      status: 'fulfilled',
      value: { ok: false, reason: expect.stringMatching(/stopped before its end/) },
    });
    expect(digest.state.completeAt).toBeUndefined();
    expect(digest.known()).toBeLessThan(n);
  });

  it("thin_delta's chunks only: nothing else is read, the copy ends verified, bytes read are the changed chunks'", async () => {
    const vol = randomBytes(g.volumeBytes);
    const digest = new TargetDigest(g);
    const disk = memTarget(g.volumeBytes);
    await copy(vol, digest, disk);
    for (const i of [7, 8, n - 1]) vol.write('y', i * g.chunkBytes);
    const r = await copy(vol, digest, disk, undefined, [7, 8, n - 1]);
    expect(r.src.offsets).toEqual([7, 8, n - 1].map((i) => i * g.chunkBytes));
    expect(r.sent).toMatchObject({ status: 'fulfilled', value: { chunksSent: 3, bytesRead: 2 * g.chunkBytes + 77 } });
    expect(r.received).toMatchObject({ status: 'fulfilled', value: { ok: true, chunksWritten: 3 } });
    expect(disk.disk.equals(vol)).toBe(true);
  });

  it('thin_delta mode needs the receiver to know every chunk it does not read', async () => {
    const vol = randomBytes(g.volumeBytes);
    const r = await copy(vol, new TargetDigest(g), memTarget(g.volumeBytes), undefined, [1]);
    expect(r.sent).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({
        message: expect.stringMatching(/chunk 0 was not read and the receiver's digest does not know it/),
      }),
    });
  });
});
