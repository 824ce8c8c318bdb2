// The copy's framing: a good stream decodes whole in any split; a truncated, reordered,
// corrupted or replayed stream is rejected, and nothing past the fault reaches the writer.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  chunkCount,
  chunkLength,
  type Frame,
  FrameDecoder,
  FrameEncoder,
  FrameError,
  frameHeadBytes,
  type Session,
  sha256,
  signedHead,
  volumeDigest,
} from '../../src/copy/frame.js';

const geometry = { volumeBytes: 10 * 1024 + 100, chunkBytes: 1024 };
const volume = randomBytes(geometry.volumeBytes);
const chunk = (i: number) => volume.subarray(i * 1024, i * 1024 + chunkLength(geometry, i));
const session = (o: Partial<Session> = {}): Session => ({ ...geometry, nonce: randomBytes(16), ...o });

/** The bytes of a stream sending `indexes` (all chunks by default), then the end frame. */
function stream(s: Session, indexes = [...Array(chunkCount(geometry)).keys()]): Buffer[] {
  const enc = new FrameEncoder(s);
  const frames = indexes.map((i) => Buffer.concat(enc.chunk(i, chunk(i))));
  const all = [...Array(chunkCount(geometry)).keys()].map((i) => sha256(chunk(i)));
  return [...frames, enc.end(volumeDigest(geometry, all))];
}

/** What a receiver would write: every frame the decoder hands on, until it throws. */
function receive(s: Session, bytes: Buffer, piece = 333): { written: number[]; end?: Frame; error?: FrameError } {
  const dec = new FrameDecoder(s);
  const written: number[] = [];
  let end: Frame | undefined;
  try {
    for (let at = 0; at < bytes.length; at += piece)
      for (const f of dec.push(bytes.subarray(at, at + piece))) {
        if (f.kind === 'chunk') {
          expect(f.data.equals(chunk(f.index))).toBe(true);
          written.push(f.index);
        } else end = f;
      }
    dec.end();
  } catch (e) {
    if (!(e instanceof FrameError)) throw e;
    return { written, end, error: e };
  }
  return { written, end };
}

describe('copy framing', () => {
  it('a whole stream decodes in any split, with the last chunk cut at the volume end and the volume digest', () => {
    const s = session();
    for (const piece of [1, 7, 85, 1024, 1 << 20]) {
      const r = receive(s, Buffer.concat(stream(s)), piece);
      expect(r.error).toBeUndefined();
      expect(r.written).toEqual([...Array(11).keys()]);
      expect(r.end).toMatchObject({ kind: 'end', chunks: 11 });
    }
    expect(chunkLength(geometry, 10)).toBe(100);
  });

  it('a stream may skip unchanged chunks', () => {
    const s = session();
    expect(receive(s, Buffer.concat(stream(s, [2, 5, 10]))).written).toEqual([2, 5, 10]);
  });

  it('a truncated stream is rejected at its end, and the cut frame is not written', () => {
    const s = session();
    const frames = stream(s);
    const cut = Buffer.concat(frames.slice(0, 4)).subarray(0, 3 * (frameHeadBytes + 1024) + 500);
    const r = receive(s, cut);
    expect(r.written).toEqual([0, 1, 2]);
    expect(r.error?.message).toMatch(/stopped before its end/);
  });

  it('a stream without its end frame is rejected', () => {
    const s = session();
    const r = receive(s, Buffer.concat(stream(s).slice(0, -1)));
    expect(r.written).toHaveLength(11);
    expect(r.error?.message).toMatch(/stopped before its end/);
  });

  it('reordered frames are rejected, and nothing after the fault is written', () => {
    const s = session();
    const f = stream(s);
    const r = receive(s, Buffer.concat([f[0]!, f[1]!, f[3]!, f[2]!, ...f.slice(4)]));
    expect(r.written).toEqual([0, 1]);
    expect(r.error?.message).toMatch(/sequence number 3/);
  });

  it('a corrupted byte in a chunk rejects that chunk and everything after it', () => {
    const s = session();
    const bytes = Buffer.concat(stream(s));
    bytes[4 * (frameHeadBytes + 1024) + frameHeadBytes + 10]! ^= 1;
    const r = receive(s, bytes);
    expect(r.written).toEqual([0, 1, 2, 3]);
    expect(r.error?.message).toMatch(/chunk 4's data does not match its hash/);
  });

  it('a frame whose head was altered (another chunk index) fails its MAC', () => {
    const s = session();
    const bytes = Buffer.concat(stream(s));
    bytes.writeBigUInt64BE(7n, 2 * (frameHeadBytes + 1024) + 9);
    const r = receive(s, bytes);
    expect(r.written).toEqual([0, 1]);
    expect(r.error?.message).toMatch(/MAC does not match/);
  });

  it("a replayed recording of another session is rejected at its first frame (the receiver's nonce differs)", () => {
    const recorded = Buffer.concat(stream(session()));
    const r = receive(session(), recorded);
    expect(r.written).toEqual([]);
    expect(r.error?.message).toMatch(/frame 0: its MAC does not match/);
  });

  it('with a shared key, a sender that knows only the nonce cannot forge a frame', () => {
    const nonce = randomBytes(16);
    const forged = Buffer.concat(stream({ ...geometry, nonce }));
    expect(receive({ ...geometry, nonce, key: randomBytes(32) }, forged).error?.message).toMatch(/MAC/);
    const key = randomBytes(32);
    expect(
      receive({ ...geometry, nonce, key }, Buffer.concat(stream({ ...geometry, nonce, key }))).error,
    ).toBeUndefined();
  });

  it('a signed chunk claiming an index past the volume or a wrong length is rejected (a peer holding the key)', () => {
    const s = session({ key: randomBytes(32) });
    expect(() => new FrameEncoder(s).chunk(10, Buffer.alloc(1024))).toThrow(RangeError);
    const data = Buffer.alloc(1024);
    const past = signedHead(s, 'chunk', 0, 15, 1024, sha256(data));
    expect(() => new FrameDecoder(s).push(Buffer.concat([past, data]))).toThrow(/chunk 15 out of order/);
    const long = signedHead(s, 'chunk', 0, 10, 1024, sha256(data));
    expect(() => new FrameDecoder(s).push(Buffer.concat([long, data]))).toThrow(/claims 1024 bytes, not 100/);
    const early = signedHead(s, 'end', 0, 3, 0, Buffer.alloc(32));
    expect(() => new FrameDecoder(s).push(early)).toThrow(/malformed end frame/);
  });

  it('frames of the same session under another geometry are rejected (the geometry is in the MAC)', () => {
    const s = session();
    const r = receive({ ...s, volumeBytes: s.volumeBytes + 1 }, Buffer.concat(stream(s)));
    expect(r.written).toEqual([]);
    expect(r.error?.message).toMatch(/MAC/);
  });

  it('data after the end frame is rejected', () => {
    const s = session();
    const f = stream(s);
    expect(receive(s, Buffer.concat([...f, f[0]!])).error?.message).toMatch(/after the end frame/);
  });
});
