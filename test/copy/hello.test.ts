// The copy's handshake messages: each round-trips; anything else, or a field out of range, is
// rejected; the stream reader takes a line and the hashes off any split and leaves the rest.
import { describe, expect, it } from 'vitest';
import { encodeMessage, type Message, parseMessage, StreamReader } from '../../src/copy/hello.js';

async function* split(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < b.length; at += size) yield b.subarray(at, at + size);
}

describe('copy handshake', () => {
  it('every message round-trips', () => {
    const all: Message[] = [
      { kind: 'ask', volumeBytes: 2 ** 40, chunkBytes: 4 << 20 },
      { kind: 'answer', nonce: 'ab'.repeat(16), chunks: 262144, known: 12 },
      { kind: 'refused', reason: '/dev/vg1/copy is mounted on /srv' },
      { kind: 'result', ok: false, reason: 'cut', chunksWritten: 3, bytesWritten: 12 << 20 },
    ];
    for (const m of all) expect(parseMessage(encodeMessage(m).toString().trimEnd())).toEqual(m);
  });

  it('rejects other lines and fields out of range', () => {
    expect(() => parseMessage('hello')).toThrow(/not a baysync copy message/);
    expect(() => parseMessage('BAYSYNC-COPY/1 ask {"volumeBytes":-1,"chunkBytes":4}')).toThrow(/malformed ask/);
    expect(() => parseMessage('BAYSYNC-COPY/1 ask {"volumeBytes":1,"chunkBytes":0}')).toThrow(/malformed ask/);
    expect(() => parseMessage('BAYSYNC-COPY/1 ask {"volumeBytes":1,"chunkBytes":1e9}')).toThrow(/malformed ask/);
    // Tiny chunks would make the receiver's digest huge (32 bytes a chunk of a 2 TiB target).
    expect(() => parseMessage('BAYSYNC-COPY/1 ask {"volumeBytes":1,"chunkBytes":512}')).toThrow(/malformed ask/);
    expect(() => parseMessage('BAYSYNC-COPY/1 ask {"volumeBytes":1,"chunkBytes":65537}')).toThrow(/malformed ask/);
    expect(() => parseMessage('BAYSYNC-COPY/1 answer {"nonce":"zz","chunks":1,"known":0}')).toThrow(/malformed answer/);
    expect(() => parseMessage('BAYSYNC-COPY/1 result {"ok":"yes","chunksWritten":0,"bytesWritten":0}')).toThrow(
      /malformed result/,
    );
  });

  it('reads a line, then the hashes, then hands on the rest untouched, in any split', async () => {
    const hashes = Buffer.alloc(3 * 32, 7);
    const frames = Buffer.from('frame bytes follow\nwith a newline');
    const stream = Buffer.concat([
      encodeMessage({ kind: 'answer', nonce: 'cd'.repeat(16), chunks: 3, known: 3 }),
      hashes,
      frames,
    ]);
    for (const size of [1, 5, 64, 4096]) {
      const r = new StreamReader(split(stream, size));
      expect(parseMessage(await r.line())).toMatchObject({ kind: 'answer', chunks: 3 });
      expect((await r.bytes(96)).equals(hashes)).toBe(true);
      const rest: Buffer[] = [];
      for await (const b of r.rest()) rest.push(b);
      expect(Buffer.concat(rest).equals(frames)).toBe(true);
    }
  });

  it('a peer that closes early or sends an endless line is refused', async () => {
    await expect(new StreamReader(split(Buffer.from('no newline'), 4)).line()).rejects.toThrow(/closed the stream/);
    await expect(new StreamReader(split(Buffer.alloc(70_000, 65), 4096)).line()).rejects.toThrow(/longer than 64 KiB/);
    await expect(new StreamReader(split(Buffer.from('ab'), 1)).bytes(3)).rejects.toThrow(/before 3 bytes/);
  });
});
