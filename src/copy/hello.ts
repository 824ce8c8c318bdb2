// The snapshot copy's handshake (issue 13), before the frames and after them. The sender asks
// with the geometry of its snapshot; the receiver answers with a fresh nonce and its digest's
// chunk hashes (zeros where unknown), or refuses with a reason; after the end frame the
// receiver sends its result. Every message is one line "BAYSYNC-COPY/1 <kind> <json>"; the
// receiver's answer is followed by exactly chunks x 32 bytes of hashes.
// Contract: pure; readLine() takes one line (at most 64 KiB) off a byte stream and gives back the
// rest of the stream untouched; every parse rejects what is not exactly the expected message.
const tag = 'BAYSYNC-COPY/1';
const maxLine = 64 * 1024;

export type Message =
  | { kind: 'ask'; volumeBytes: number; chunkBytes: number; nonce?: string; mac?: string }
  /** complete: the receiver's last run that wrote every chunk ended verified, and none since. */
  | { kind: 'answer'; nonce: string; chunks: number; known: number; complete?: boolean }
  | { kind: 'refused'; reason: string }
  | {
      kind: 'result';
      ok: boolean;
      reason?: string;
      chunksWritten: number;
      bytesWritten: number;
      /** The receiver's no-modify filesystem check of the target, after a verified copy. */
      fsck?: { tool: string; ok: boolean; conclusive?: false; detail: string };
      mac?: string;
    };

export function encodeMessage(m: Message): Buffer {
  const { kind, ...body } = m;
  return Buffer.from(`${tag} ${kind} ${JSON.stringify(body)}\n`);
}

const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const hex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{32,128}$/.test(v);
/** The optional signature fields of the TCP transport (auth.ts), kept only when well formed. */
const signed = (b: Record<string, unknown>, ...keys: string[]): Record<string, string> =>
  Object.fromEntries(keys.filter((k) => hex(b[k])).map((k) => [k, b[k] as string]));

export function parseMessage(line: string): Message {
  const m = /^BAYSYNC-COPY\/1 (ask|answer|refused|result) (\{.*\})$/.exec(line);
  if (!m) throw new Error(`not a baysync copy message: ${JSON.stringify(line.slice(0, 80))}`);
  const b = JSON.parse(m[2]!) as Record<string, unknown>;
  const kind = m[1] as Message['kind'];
  const bad = (): never => {
    throw new Error(`a malformed ${kind} message: ${m[2]!.slice(0, 200)}`);
  };
  switch (kind) {
    case 'ask':
      // 64 KiB to 64 MiB, in whole 4 KiB blocks: a sender cannot make the receiver's digest
      // (32 bytes a chunk) huge by asking for tiny chunks.
      if (!int(b.volumeBytes) || !int(b.chunkBytes) || b.chunkBytes < 65536 || b.chunkBytes > 64 << 20) bad();
      if ((b.chunkBytes as number) % 4096 !== 0) bad();
      return {
        kind,
        volumeBytes: b.volumeBytes as number,
        chunkBytes: b.chunkBytes as number,
        ...signed(b, 'nonce', 'mac'),
      };
    case 'answer':
      if (!hex(b.nonce) || !int(b.chunks) || !int(b.known)) bad();
      return {
        kind,
        nonce: b.nonce as string,
        chunks: b.chunks as number,
        known: b.known as number,
        ...(b.complete === true ? { complete: true } : {}),
      };
    case 'refused':
      if (typeof b.reason !== 'string') bad();
      return { kind, reason: b.reason as string };
    default:
      if (typeof b.ok !== 'boolean' || !int(b.chunksWritten) || !int(b.bytesWritten)) bad();
      return {
        kind,
        ok: b.ok as boolean,
        ...(typeof b.reason === 'string' ? { reason: b.reason } : {}),
        chunksWritten: b.chunksWritten as number,
        bytesWritten: b.bytesWritten as number,
        ...(b.fsck === undefined ? {} : { fsck: parseFsck(b.fsck, bad) }),
        ...signed(b, 'mac'),
      };
  }
}

function parseFsck(v: unknown, bad: () => never): NonNullable<Extract<Message, { kind: 'result' }>['fsck']> {
  const f = (v ?? {}) as Record<string, unknown>;
  if (typeof f.tool !== 'string' || typeof f.ok !== 'boolean' || typeof f.detail !== 'string') bad();
  if (f.conclusive !== undefined && f.conclusive !== false) bad();
  return {
    tool: (f.tool as string).slice(0, 40),
    ok: f.ok as boolean,
    ...(f.conclusive === false ? { conclusive: false as const } : {}),
    detail: (f.detail as string).slice(0, 2000),
  };
}

/** A byte stream from which a line or a fixed number of bytes can be taken, then the rest. */
export class StreamReader {
  private held: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;

  constructor(input: AsyncIterable<Buffer>) {
    this.it = input[Symbol.asyncIterator]();
  }

  private async more(what: string): Promise<void> {
    const r = await this.it.next();
    if (r.done) throw new Error(`the peer closed the stream before ${what}`);
    this.held = Buffer.concat([this.held, r.value]);
  }

  async line(): Promise<string> {
    for (;;) {
      const nl = this.held.indexOf(10);
      if (nl >= 0 && nl <= maxLine) {
        const line = this.held.subarray(0, nl).toString('utf8');
        this.held = this.held.subarray(nl + 1);
        return line;
      }
      if (nl > maxLine || this.held.length > maxLine) throw new Error('the peer sent a line longer than 64 KiB');
      await this.more('a whole line');
    }
  }

  async bytes(n: number): Promise<Buffer> {
    // Pieces are joined once, at the end (the receiver's hashes can be megabytes).
    const pieces = [this.held];
    let have = this.held.length;
    while (have < n) {
      const r = await this.it.next();
      if (r.done) throw new Error(`the peer closed the stream before ${n} bytes`);
      pieces.push(r.value);
      have += r.value.length;
    }
    const all = Buffer.concat(pieces, have);
    this.held = all.subarray(n);
    return all.subarray(0, n);
  }

  /** What is left of the stream: the held bytes, then the rest as it arrives. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.held.length) yield this.held;
    this.held = Buffer.alloc(0);
    for (let r = await this.it.next(); !r.done; r = await this.it.next()) yield r.value;
  }
}
