// The snapshot copy's wire format (issue 13): the sender streams framed chunks of the source
// volume to the receiver. Each frame carries a sequence number, the chunk's index, its length,
// the SHA-256 of its data and a MAC over all of them and the geometry, bound to the receiver's nonce, so
// that a truncated, reordered, corrupted or replayed stream (a recording of another session) is
// rejected before a byte of the faulty frame is handed on. The last frame carries the digest of
// the whole volume. Over ssh the MAC key is the nonce itself (ssh authenticates the peer); over
// the raw TCP transport it is the shared key, which then authenticates every chunk.
// Contract: pure (node:crypto only). FrameDecoder.push() returns only complete, verified frames,
// in order; at the first fault it returns the frames verified before it, if any, and throws a
// FrameError then or at the next push() or end(); end() also throws when the stream stopped
// before its end frame. Nothing after a fault is ever returned.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const hashBytes = 32;
/** kind u8, seq u64, index u64, length u32, hash, mac */
export const frameHeadBytes = 1 + 8 + 8 + 4 + hashBytes + hashBytes;
const kindChunk = 1;
const kindEnd = 2;

export interface Geometry {
  /** Bytes of the volume copied. */
  volumeBytes: number;
  /** Bytes of every chunk but the last. */
  chunkBytes: number;
}

export interface Session extends Geometry {
  /** The receiver's fresh random nonce for this session (16 bytes or more). */
  nonce: Buffer;
  /** The shared key of the raw TCP transport; absent over ssh. */
  key?: Buffer;
}

export type Frame =
  | { kind: 'chunk'; seq: number; index: number; hash: Buffer; data: Buffer }
  | { kind: 'end'; seq: number; chunks: number; volumeDigest: Buffer };

export class FrameError extends Error {
  override name = 'FrameError';
}

export const chunkCount = (g: Geometry): number => Math.ceil(g.volumeBytes / g.chunkBytes);

/** The length of chunk `index`: chunkBytes, the last one cut at the volume's end. */
export function chunkLength(g: Geometry, index: number): number {
  return Math.min(g.chunkBytes, g.volumeBytes - index * g.chunkBytes);
}

export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/** The digest of a whole volume: SHA-256 over its geometry and the hashes of all its chunks, in order. */
export function volumeDigest(g: Geometry, chunkHashes: Iterable<Buffer>): Buffer {
  const h = createHash('sha256').update(`baysync-volume ${g.volumeBytes} ${g.chunkBytes}\n`);
  for (const c of chunkHashes) h.update(c);
  return h.digest();
}

function head(kind: number, seq: number, index: number, length: number, hash: Buffer): Buffer {
  const b = Buffer.alloc(frameHeadBytes);
  b.writeUInt8(kind, 0);
  b.writeBigUInt64BE(BigInt(seq), 1);
  b.writeBigUInt64BE(BigInt(index), 9);
  b.writeUInt32BE(length, 17);
  hash.copy(b, 21);
  return b;
}

function mac(s: Session, headWithoutMac: Buffer): Buffer {
  return createHmac('sha256', s.key ?? s.nonce)
    .update(s.nonce)
    .update(`${s.volumeBytes} ${s.chunkBytes}\n`)
    .update(headWithoutMac)
    .digest();
}

/** A frame's head with its MAC: what a sender holding the session's key can sign, whatever it
 *  says (the decoder checks every field against the session, not only the MAC). */
export function signedHead(
  s: Session,
  kind: 'chunk' | 'end',
  seq: number,
  index: number,
  length: number,
  hash: Buffer,
) {
  const h = head(kind === 'chunk' ? kindChunk : kindEnd, seq, index, length, hash);
  mac(s, h.subarray(0, frameHeadBytes - hashBytes)).copy(h, frameHeadBytes - hashBytes);
  return h;
}

/** The frames of one session, numbered from 0. */
export class FrameEncoder {
  private seq = 0;
  constructor(private readonly s: Session) {}

  /** A chunk frame: its head, then the data (two buffers, so that the data is not copied). */
  chunk(index: number, data: Buffer, hash = sha256(data)): [Buffer, Buffer] {
    if (data.length !== chunkLength(this.s, index)) throw new RangeError(`chunk ${index} has ${data.length} bytes`);
    return [signedHead(this.s, 'chunk', this.seq++, index, data.length, hash), data];
  }

  end(digest: Buffer): Buffer {
    return signedHead(this.s, 'end', this.seq++, chunkCount(this.s), 0, digest);
  }
}

/** Bytes received and not yet parsed; pieces are joined only when a whole frame is there. */
class ByteQueue {
  private pieces: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.pieces.push(b);
    this.length += b.length;
  }

  /** The first n bytes (n <= length), joined into one piece that stays at the front. */
  peek(n: number): Buffer {
    if (this.pieces[0]!.length < n) this.pieces = [Buffer.concat(this.pieces)];
    return this.pieces[0]!.subarray(0, n);
  }

  take(n: number): Buffer {
    const b = Buffer.from(this.peek(n));
    const first = this.pieces[0]!;
    if (first.length === n) this.pieces.shift();
    else this.pieces[0] = first.subarray(n);
    this.length -= n;
    return b;
  }
}

/** Parses and checks a session's frames as their bytes arrive. */
export class FrameDecoder {
  private buf = new ByteQueue();
  private seq = 0;
  private lastIndex = -1;
  private ended = false;
  private failed: FrameError | undefined;

  constructor(private readonly s: Session) {}

  push(bytes: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    this.buf.push(bytes);
    const out: Frame[] = [];
    try {
      for (let f = this.next(); f; f = this.next()) out.push(f);
    } catch (e) {
      this.failed = e as FrameError;
      // The frames verified before the fault are handed on; the next call throws.
      if (out.length === 0) throw e;
    }
    return out;
  }

  /** The stream closed: fine only after the end frame. */
  end(): void {
    if (this.failed) throw this.failed;
    if (!this.ended)
      throw new FrameError(
        `the stream stopped before its end (${this.buf.length} bytes of an incomplete frame after frame ${this.seq - 1})`,
      );
  }

  private next(): Frame | undefined {
    if (this.buf.length < frameHeadBytes) return undefined;
    if (this.ended) throw new FrameError('data after the end frame');
    const h = this.buf.peek(frameHeadBytes);
    const kind = h.readUInt8(0);
    const seq = Number(h.readBigUInt64BE(1));
    const index = Number(h.readBigUInt64BE(9));
    const length = h.readUInt32BE(17);
    const hash = Buffer.from(h.subarray(21, 21 + hashBytes));
    const want = mac(this.s, h.subarray(0, frameHeadBytes - hashBytes));
    if (!timingSafeEqual(want, h.subarray(frameHeadBytes - hashBytes)))
      throw new FrameError(`frame ${this.seq}: its MAC does not match (another session's frame, or altered)`);
    if (seq !== this.seq) throw new FrameError(`frame ${this.seq}: got sequence number ${seq} (reordered or replayed)`);
    const chunks = chunkCount(this.s);
    if (kind === kindEnd) {
      if (index !== chunks || length !== 0) throw new FrameError(`frame ${seq}: a malformed end frame`);
      this.buf.take(frameHeadBytes);
      this.seq++;
      this.ended = true;
      return { kind: 'end', seq, chunks, volumeDigest: hash };
    }
    if (kind !== kindChunk) throw new FrameError(`frame ${seq}: unknown kind ${kind}`);
    if (index <= this.lastIndex || index >= chunks)
      throw new FrameError(`frame ${seq}: chunk ${index} out of order (after chunk ${this.lastIndex} of ${chunks})`);
    if (length !== chunkLength(this.s, index))
      throw new FrameError(`frame ${seq}: chunk ${index} claims ${length} bytes, not ${chunkLength(this.s, index)}`);
    if (this.buf.length < frameHeadBytes + length) return undefined;
    const data = this.buf.peek(frameHeadBytes + length).subarray(frameHeadBytes);
    if (!sha256(data).equals(hash)) throw new FrameError(`frame ${seq}: chunk ${index}'s data does not match its hash`);
    this.buf.take(frameHeadBytes);
    const owned = this.buf.take(length);
    this.seq++;
    this.lastIndex = index;
    return { kind: 'chunk', seq, index, hash, data: owned };
  }
}
