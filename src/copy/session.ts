// One snapshot copy over one link (issue 13), both ends: the sender asks with its geometry, the
// receiver opens its own target (never one the sender names), refuses a target too small or in
// use, answers with a fresh nonce and its digest, receives, and reports its result.
// Contract: the receiver writes only to the target its own side opens; a refusal or a fault is
// a result with its reason, never a throw across the link; the sender's outcome carries the
// receiver's result as received.
import { randomBytes } from 'node:crypto';
import { askSigned, resultSigned, signAsk, signResult } from './auth.js';
import { TargetDigest } from './digest.js';
import { chunkCount, type Geometry, hashBytes, type Session } from './frame.js';
import { encodeMessage, type Message, parseMessage, StreamReader } from './hello.js';
import { type ChunkSink, type ReceiveOutcome, receiveCopy } from './receive.js';
import { type ChunkSource, type SendOutcome, sendCopy } from './send.js';

export type Write = (bufs: Buffer[]) => Promise<void>;

export interface ReceiverSide {
  /** Opens the receiver's configured target; throws with the reason it cannot be used. */
  openTarget: () => Promise<ChunkSink & { bytes: number; close: () => Promise<void> }>;
  /** The digest kept for this geometry, or a new empty one. */
  loadDigest: (g: Geometry) => TargetDigest;
  persist: (d: TargetDigest) => void;
  dropCache?: () => Promise<void>;
  batchBytes: number;
  key?: Buffer;
  /** After a verified copy, with the target closed: the no-modify filesystem check. */
  checkTarget?: () => Promise<FsckResult>;
}

export type FsckResult = NonNullable<Extract<Message, { kind: 'result' }>['fsck']>;

export type ServeOutcome = { refused: string } | (ReceiveOutcome & { fsck?: FsckResult });

export async function serveReceive(
  input: AsyncIterable<Buffer>,
  write: Write,
  side: ReceiverSide,
): Promise<ServeOutcome> {
  const reader = new StreamReader(input);
  const refuse = async (reason: string): Promise<ServeOutcome> => {
    await write([encodeMessage({ kind: 'refused', reason })]);
    return { refused: reason };
  };
  let ask: Message;
  try {
    ask = parseMessage(await reader.line());
  } catch (e) {
    return refuse(`the sender's request: ${(e as Error).message}`);
  }
  if (ask.kind !== 'ask') return refuse(`expected a request, got "${ask.kind}"`);
  if (side.key && !askSigned(side.key, ask))
    return refuse('the request is not signed with the shared key (compare key_file on both hosts)');
  const g: Geometry = { volumeBytes: ask.volumeBytes, chunkBytes: ask.chunkBytes };
  let target: Awaited<ReturnType<ReceiverSide['openTarget']>>;
  try {
    target = await side.openTarget();
  } catch (e) {
    return refuse((e as Error).message);
  }
  let closed = false;
  const closeOnce = async (): Promise<void> => {
    if (!closed) await target.close();
    closed = true;
  };
  try {
    if (target.bytes < g.volumeBytes)
      return await refuse(`the target has ${target.bytes} bytes, fewer than the source's ${g.volumeBytes}`);
    const digest = side.loadDigest(g);
    const nonce = randomBytes(16);
    await write([
      encodeMessage({
        kind: 'answer',
        nonce: nonce.toString('hex'),
        chunks: digest.chunks,
        known: digest.known(),
        ...(digest.state.completeAt ? { complete: true } : {}),
      }),
      digest.hashes,
    ]);
    const session: Session = { ...g, nonce, ...(side.key ? { key: side.key } : {}) };
    const copied = await receiveCopy(reader.rest(), {
      session,
      target,
      digest,
      persist: side.persist,
      dropCache: side.dropCache,
      batchBytes: side.batchBytes,
    });
    await closeOnce();
    const fsck = copied.ok && side.checkTarget ? await side.checkTarget() : undefined;
    const out = fsck ? { ...copied, fsck } : copied;
    const result: Extract<Message, { kind: 'result' }> = { kind: 'result', ...out };
    const said = side.key ? signResult(side.key, result, nonce.toString('hex')) : result;
    await write([encodeMessage(said)]).catch(() => undefined);
    return out;
  } finally {
    await closeOnce();
  }
}

export interface SenderSide extends Geometry {
  source: ChunkSource;
  key?: Buffer;
  readAhead?: number;
  signal?: AbortSignal;
  onChunk?: Parameters<typeof sendCopy>[0]['onChunk'];
  /** Thin volumes: the only chunks to read (thin_delta); the receiver must know all others. */
  changed?: number[];
}

export type SessionOutcome =
  | { refused: string }
  /** `sent` is absent when the receiver ended the session before the sender was done. */
  | {
      sent?: SendOutcome;
      known: number;
      /** Why thin_delta's chunks were not used and every chunk was read. */
      readAll?: string;
      result: Extract<Message, { kind: 'result' }>;
    };

export async function runSend(input: AsyncIterable<Buffer>, write: Write, side: SenderSide): Promise<SessionOutcome> {
  const reader = new StreamReader(input);
  const ask: Extract<Message, { kind: 'ask' }> = {
    kind: 'ask',
    volumeBytes: side.volumeBytes,
    chunkBytes: side.chunkBytes,
  };
  await write([encodeMessage(side.key ? signAsk(side.key, ask) : ask)]);
  const answer = parseMessage(await reader.line());
  if (answer.kind === 'refused') return { refused: answer.reason };
  if (answer.kind !== 'answer' || answer.chunks !== chunkCount(side))
    throw new Error(`the receiver answered ${JSON.stringify(answer)} to a request for ${chunkCount(side)} chunks`);
  const hashes = await reader.bytes(answer.chunks * hashBytes);
  const remote = new TargetDigest(side, {}, hashes);
  const session: Session = {
    volumeBytes: side.volumeBytes,
    chunkBytes: side.chunkBytes,
    nonce: Buffer.from(answer.nonce, 'hex'),
    ...(side.key ? { key: side.key } : {}),
  };
  // The receiver's result is read while sending: a receiver that stops early (a fault, a
  // refused frame) answers at once, and the sender then stops instead of writing into a link
  // nobody reads.
  const stop = new AbortController();
  const early = reader.line().then(parseMessage);
  early.then(
    () => stop.abort(new Error('the receiver ended the session')),
    () => stop.abort(new Error('the receiver closed the link')),
  );
  const stopped = new Promise<never>((_, reject) =>
    stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true }),
  );
  stopped.catch(() => undefined);
  const signal = side.signal ? AbortSignal.any([side.signal, stop.signal]) : stop.signal;
  let sent: SendOutcome | undefined;
  try {
    sent = await sendCopy({
      session,
      source: side.source,
      remoteHash: (i) => remote.get(i),
      write: (bufs) => Promise.race([write(bufs), stopped]),
      readAhead: side.readAhead,
      signal,
      onChunk: side.onChunk,
      // thin_delta's chunks only when the receiver holds a whole verified copy; otherwise (a
      // run failed since, or its digest was lost) every chunk is read once.
      ...(side.changed && answer.complete ? { changed: side.changed } : {}),
    });
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  }
  const result = await early;
  if (result.kind !== 'result') throw new Error(`the receiver ended with "${result.kind}" instead of its result`);
  if (side.key && !resultSigned(side.key, result, answer.nonce))
    throw new Error("the receiver's result is not signed with the shared key: the copy is not proved");
  return {
    ...(sent ? { sent } : {}),
    known: answer.known,
    ...(side.changed && !answer.complete ? { readAll: 'the secondary holds no whole verified copy' } : {}),
    result,
  };
}
