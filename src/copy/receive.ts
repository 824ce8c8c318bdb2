// The receiving end of a snapshot copy (issue 13): takes the verified frames of one session and
// writes their chunks into the target, in batches: mark the digest from the batch's first chunk
// on as being written, write, fdatasync, drop the cache, read back and compare each chunk's hash,
// and only then record the batch in the digest and persist it.
// The digest's "complete" mark is cleared before the first write and set again only when the
// end frame's whole-volume digest equals the digest's; a session without a verified chunk leaves
// the digest as it was. Contract: never writes a byte of a frame
// the decoder did not verify; after any fault (stream, read-back, digest) the chunks already
// committed stay recorded, nothing else is, and the copy is left marked incomplete.

import type { TargetDigest } from './digest.js';
import { type Frame, FrameDecoder, FrameError, type Session, sha256 } from './frame.js';

/** The target does not hold what was written. */
class TargetFault extends Error {}

export interface ChunkSink {
  write(offset: number, data: Buffer): Promise<void>;
  sync(): Promise<void>;
  readBack(offset: number, length: number): Promise<Buffer>;
}

export interface ReceiveOptions {
  session: Session;
  target: ChunkSink;
  digest: TargetDigest;
  /** Persists the digest (atomically); called before the first write and after each batch. */
  persist: (d: TargetDigest) => void;
  /** Drops the target's cached pages after a sync, so that the read-back reads the device. */
  dropCache?: () => Promise<void>;
  /** Bytes written between two syncs. */
  batchBytes: number;
  now?: () => Date;
}

export type ReceiveOutcome =
  | { ok: true; chunksWritten: number; bytesWritten: number }
  | { ok: false; reason: string; chunksWritten: number; bytesWritten: number };

export async function receiveCopy(input: AsyncIterable<Buffer>, o: ReceiveOptions): Promise<ReceiveOutcome> {
  const dec = new FrameDecoder(o.session);
  const pending: Array<{ index: number; hash: Buffer; length: number }> = [];
  let pendingBytes = 0;
  let chunksWritten = 0;
  let bytesWritten = 0;

  const commit = async (): Promise<void> => {
    if (!pending.length) return;
    await o.target.sync();
    await o.dropCache?.();
    for (const p of pending) {
      const back = await o.target.readBack(p.index * o.session.chunkBytes, p.length);
      if (!sha256(back).equals(p.hash))
        throw new TargetFault(`chunk ${p.index} read back from the target differs from what was written`);
    }
    for (const p of pending) o.digest.set(p.index, p.hash);
    o.digest.state = { ...o.digest.state, writingFrom: undefined };
    o.persist(o.digest);
    chunksWritten += pending.length;
    bytesWritten += pendingBytes;
    pending.length = 0;
    pendingBytes = 0;
  };

  const handle = async (f: Frame): Promise<string | undefined> => {
    if (f.kind === 'end') {
      await commit();
      const have = o.digest.volumeDigest();
      if (!have?.equals(f.volumeDigest))
        return have
          ? "the target's whole-volume digest differs from the source's"
          : `the target's digest knows ${o.digest.known()} of ${o.digest.chunks} chunks at the end of the copy`;
      o.digest.state = { ...o.digest.state, completeAt: (o.now?.() ?? new Date()).toISOString() };
      o.persist(o.digest);
      return undefined;
    }
    if (!pending.length) {
      // A batch begins: from this chunk on the digest is not to be trusted until it commits,
      // and the copy is incomplete until the end frame proves it (never before a verified frame:
      // a session that sends nothing valid changes nothing).
      o.digest.state = { ...o.digest.state, completeAt: undefined, writingFrom: f.index };
      o.persist(o.digest);
    }
    await o.target.write(f.index * o.session.chunkBytes, f.data);
    pending.push({ index: f.index, hash: f.hash, length: f.data.length });
    pendingBytes += f.data.length;
    if (pendingBytes >= o.batchBytes) await commit();
    return undefined;
  };

  const fail = async (reason: string): Promise<ReceiveOutcome> => {
    // The verified chunks written before the fault are committed if they read back right;
    // a batch that does not is never recorded (its commit throws again).
    await commit().catch(() => undefined);
    return { ok: false, reason, chunksWritten, bytesWritten };
  };

  try {
    for await (const piece of input)
      for (const f of dec.push(piece)) {
        const bad = await handle(f);
        if (bad) return await fail(bad);
        // The end frame ends the session: the sender waits for the result on the same link.
        if (f.kind === 'end') return { ok: true, chunksWritten, bytesWritten };
      }
    dec.end();
  } catch (e) {
    if (e instanceof FrameError || e instanceof TargetFault) return fail(e.message);
    throw e;
  }
  throw new Error('unreachable: the decoder ends only at the end frame');
}
