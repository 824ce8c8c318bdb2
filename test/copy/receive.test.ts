// The receiving end on a file-backed target: a full pass, then only the changed chunks; a cut,
// corrupted or forged stream leaves exactly the committed chunks recorded and the copy marked
// incomplete; a read-back that differs and a whole-volume digest that differs fail the copy.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDigest, TargetDigest } from '../../src/copy/digest.js';
import {
  chunkCount,
  chunkLength,
  FrameEncoder,
  frameHeadBytes,
  type Session,
  sha256,
  volumeDigest,
} from '../../src/copy/frame.js';
import { type ReceiveOptions, receiveCopy } from '../../src/copy/receive.js';
import { ChunkTarget } from '../../src/system/chunk-target.js';

const g = { volumeBytes: 8 * 4096 + 1000, chunkBytes: 4096 };
const n = chunkCount(g);
let dir: string;
let source: Buffer;
let target: ChunkTarget;
let digest: TargetDigest;
let persisted: string[];

const chunk = (i: number) => source.subarray(i * g.chunkBytes, i * g.chunkBytes + chunkLength(g, i));
const hashes = () => Array.from({ length: n }, (_, i) => sha256(chunk(i)));

/** The sender: every chunk whose hash the digest does not hold, then the end frame. */
function send(s: Session, only?: number[]): Buffer[] {
  const enc = new FrameEncoder(s);
  const idx = only ?? [...Array(n).keys()].filter((i) => !digest.same(i, sha256(chunk(i))));
  return [...idx.map((i) => Buffer.concat(enc.chunk(i, chunk(i)))), enc.end(volumeDigest(g, hashes()))];
}

async function* pieces(bufs: Buffer[], size = 1500): AsyncGenerator<Buffer> {
  const all = Buffer.concat(bufs);
  for (let at = 0; at < all.length; at += size) yield all.subarray(at, at + size);
}

const opts = (s: Session, o: Partial<ReceiveOptions> = {}): ReceiveOptions => ({
  session: s,
  target,
  digest,
  persist: (d) => persisted.push(JSON.stringify({ known: d.known(), complete: d.state.completeAt ?? null })),
  batchBytes: 3 * 4096,
  now: () => new Date('2026-12-02T03:00:00Z'),
  ...o,
});
const session = (): Session => ({ ...g, nonce: randomBytes(16) });
const onDisk = () => readFileSync(join(dir, 'target'));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baysync-receive-'));
  source = randomBytes(g.volumeBytes);
  writeFileSync(join(dir, 'target'), Buffer.alloc(g.volumeBytes + 512));
  target = await ChunkTarget.open(join(dir, 'target'));
  digest = new TargetDigest(g);
  persisted = [];
});
afterEach(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('receiving a copy', () => {
  it('a full pass writes every chunk, in synced batches, and ends complete; the next pass after a change sends only it', async () => {
    const s = session();
    const out = await receiveCopy(pieces(send(s)), opts(s));
    expect(out).toEqual({ ok: true, chunksWritten: n, bytesWritten: g.volumeBytes });
    expect(onDisk().subarray(0, g.volumeBytes).equals(source)).toBe(true);
    expect(persisted[0]).toBe('{"known":0,"complete":null}');
    expect(persisted.at(-1)).toBe(`{"known":${n},"complete":"2026-12-02T03:00:00.000Z"}`);
    source.write('changed', 5 * 4096 + 10);
    const s2 = session();
    const frames = send(s2);
    expect(frames).toHaveLength(2);
    expect(await receiveCopy(pieces(frames), opts(s2))).toMatchObject({ ok: true, chunksWritten: 1 });
    expect(onDisk().subarray(0, g.volumeBytes).equals(source)).toBe(true);
  });

  it('a stream cut mid-copy leaves the committed batches recorded, the copy incomplete, and the next run resumes', async () => {
    const s = session();
    const cut = Buffer.concat(send(s)).subarray(0, 5 * (frameHeadBytes + 4096) + 100);
    const out = await receiveCopy(pieces([cut]), opts(s));
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/stopped before its end/), chunksWritten: 5 });
    expect(digest.known()).toBe(5);
    expect(digest.state.completeAt).toBeUndefined();
    const s2 = session();
    expect(await receiveCopy(pieces(send(s2)), opts(s2))).toMatchObject({ ok: true, chunksWritten: n - 5 });
    expect(onDisk().subarray(0, g.volumeBytes).equals(source)).toBe(true);
  });

  it('a corrupted chunk: nothing of it or after it is written, and the copy stays incomplete', async () => {
    const s0 = session();
    expect(await receiveCopy(pieces(send(s0)), opts(s0))).toMatchObject({ ok: true });
    const before = onDisk();
    const s = session();
    const bytes = Buffer.concat(send(s, [...Array(n).keys()]));
    bytes[2 * (frameHeadBytes + 4096) + frameHeadBytes + 1]! ^= 0xff;
    const out = await receiveCopy(pieces([bytes]), opts(s));
    expect(out).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/chunk 2's data does not match/),
      chunksWritten: 2,
    });
    expect(onDisk().equals(before)).toBe(true);
    expect(digest.state.completeAt).toBeUndefined();
  });

  it('a forged or replayed stream writes nothing', async () => {
    const recorded = send(session());
    const out = await receiveCopy(pieces(recorded), opts(session()));
    expect(out).toMatchObject({ ok: false, chunksWritten: 0, reason: expect.stringMatching(/MAC/) });
    expect(onDisk().equals(Buffer.alloc(g.volumeBytes + 512))).toBe(true);
    expect(digest.known()).toBe(0);
  });

  it('a chunk that reads back different fails the copy and is never recorded', async () => {
    const s = session();
    const lying = {
      write: (o: number, d: Buffer) => target.write(o, d),
      sync: () => target.sync(),
      readBack: async (o: number, l: number) => (o === 4 * 4096 ? Buffer.alloc(l) : target.readBack(o, l)),
    };
    const out = await receiveCopy(pieces(send(s)), opts(s, { target: lying }));
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/chunk 4 read back/), chunksWritten: 3 });
    expect(digest.get(4)).toBeUndefined();
    expect(digest.state.completeAt).toBeUndefined();
  });

  it('an end digest that differs from the target digest fails the copy', async () => {
    const s = session();
    const enc = new FrameEncoder(s);
    const frames = [...Array(n).keys()].map((i) => Buffer.concat(enc.chunk(i, chunk(i))));
    const out = await receiveCopy(pieces([...frames, enc.end(randomBytes(32))]), opts(s));
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/whole-volume digest differs/) });
    expect(digest.state.completeAt).toBeUndefined();
  });

  it('the digest never claims a chunk being overwritten: saved mid-batch, it forgets the batch on', async () => {
    const s = session();
    await receiveCopy(pieces(send(s)), opts(s)); // the target holds the old data; the digest knows it all
    source = randomBytes(g.volumeBytes); // every chunk changes
    const saved: Buffer[] = [];
    // A crash while writing chunk 4 (the second batch is chunks 3, 4 and 5).
    const crashing = {
      write: (off: number, data: Buffer) => {
        if (off === 4 * g.chunkBytes) throw new Error('power cut');
        return target.write(off, data);
      },
      sync: () => target.sync(),
      readBack: (off: number, len: number) => target.readBack(off, len),
    };
    const s2 = session();
    await expect(
      receiveCopy(pieces(send(s2)), opts(s2, { target: crashing, persist: (d) => saved.push(d.serialize()) })),
    ).rejects.toThrow('power cut');
    const { digest: after } = parseDigest(saved.at(-1)!, g);
    const now = hashes();
    for (let i = 0; i < n; i++)
      expect(after!.get(i)?.equals(now[i]!) ?? 'unknown', `chunk ${i}`).toBe(i < 3 ? true : 'unknown');
  });
});
