// The sending end of a snapshot copy (issue 13): reads the source once, chunk by chunk, hashes
// each chunk, and sends those whose hash differs from the receiver's digest, then the end frame
// with the whole volume's digest. Reading runs ahead of hashing and sending (a few chunks in
// flight), so that the disk, the hash and the link overlap. For a thin volume, only the chunks
// thin_delta names are read. Contract: the source is read in order, each chunk at most once; memory stays at readAhead + 1 chunks whatever the volume size; a write
// that fails or an abort stops the run (the receiver then sees a stream without its end).
import { chunkCount, chunkLength, FrameEncoder, type Session, sha256, volumeDigest } from './frame.js';

export interface ChunkSource {
  read(offset: number, length: number): Promise<Buffer>;
}

export interface SendOptions {
  session: Session;
  source: ChunkSource;
  /** The receiver's hash of chunk `index`, when its digest knows it. */
  remoteHash: (index: number) => Buffer | undefined;
  /** Writes frame buffers to the link; resolves when the link can take more. */
  write: (bufs: Buffer[]) => Promise<void>;
  readAhead?: number;
  signal?: AbortSignal;
  onChunk?: (p: { index: number; chunks: number; sent: boolean; bytesRead: number }) => void;
  /** Thin volumes: the chunks that may differ from the receiver's copy (from thin_delta), in
   *  order. No other chunk is read: the receiver's hash stands for it, and must be known. */
  changed?: number[];
}

export interface SendOutcome {
  chunks: number;
  chunksSent: number;
  bytesRead: number;
  bytesSent: number;
}

export async function sendCopy(o: SendOptions): Promise<SendOutcome> {
  const g = o.session;
  const chunks = chunkCount(g);
  const enc = new FrameEncoder(o.session);
  const hashes: Buffer[] = [];
  const ahead = Math.max(1, o.readAhead ?? 4);
  // The k-th chunk read: every chunk in order, or only the changed ones.
  const count = o.changed ? o.changed.length : chunks;
  const at = (k: number): number => (o.changed ? o.changed[k]! : k);
  const reads: Array<Promise<Buffer>> = [];
  const issue = (k: number): void => {
    if (k < count) reads[k] = o.source.read(at(k) * g.chunkBytes, chunkLength(g, at(k)));
  };
  /** Chunks not read take the receiver's hash (thin_delta says they equal its copy). */
  const skipTo = (end: number): void => {
    for (let i = hashes.length; i < end; i++) {
      const known = o.remoteHash(i);
      if (!known) throw new Error(`chunk ${i} was not read and the receiver's digest does not know it`);
      hashes.push(known);
    }
  };
  for (let k = 0; k < ahead; k++) issue(k);
  const out: SendOutcome = { chunks, chunksSent: 0, bytesRead: 0, bytesSent: 0 };
  try {
    for (let k = 0; k < count; k++) {
      o.signal?.throwIfAborted();
      const i = at(k);
      if (i < hashes.length || i >= chunks)
        throw new Error(`the changed chunks are not in order within the volume at ${i}`);
      skipTo(i);
      const data = await reads[k]!;
      delete reads[k];
      issue(k + ahead);
      if (data.length !== chunkLength(g, i))
        throw new Error(`the source gave ${data.length} bytes for chunk ${i}, not ${chunkLength(g, i)}`);
      out.bytesRead += data.length;
      const hash = sha256(data);
      hashes.push(hash);
      const sent = !o.remoteHash(i)?.equals(hash);
      if (sent) {
        const frame = enc.chunk(i, data, hash);
        await o.write(frame);
        out.chunksSent++;
        out.bytesSent += frame[0].length + data.length;
      }
      o.onChunk?.({ index: i, chunks, sent, bytesRead: out.bytesRead });
    }
    skipTo(chunks);
    const end = enc.end(volumeDigest(g, hashes));
    await o.write([end]);
    out.bytesSent += end.length;
    return out;
  } finally {
    // Reads still in flight after a failure are awaited and dropped, never left unhandled.
    await Promise.allSettled(reads.filter(Boolean));
  }
}
