// The raw TCP transport's handshake signatures (issue 13). Over ssh the peer is authenticated by
// ssh; over TCP the shared key must also sign the request (so that nobody without the key gets
// the receiver's digest or starts a session) and the receiver's result (so that a forged "ok"
// cannot reach the sender's report). The frames are signed in frame.ts. Contract: pure; every
// check compares in constant time and is false for a missing or malformed signature.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Message } from './hello.js';

type Ask = Extract<Message, { kind: 'ask' }>;
type Result = Extract<Message, { kind: 'result' }>;

const hmac = (key: Buffer, text: string): string => createHmac('sha256', key).update(text).digest('hex');

function same(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

const askText = (a: Ask, nonce: string): string => `baysync-copy ask ${a.volumeBytes} ${a.chunkBytes} ${nonce}`;
const resultText = (r: Result, receiverNonce: string): string =>
  `baysync-copy result ${r.ok} ${r.chunksWritten} ${r.bytesWritten} ${JSON.stringify(r.reason ?? null)} ${JSON.stringify(r.fsck ?? null)} ${receiverNonce}`;

export function signAsk(key: Buffer, a: Ask): Ask {
  const nonce = randomBytes(16).toString('hex');
  return { ...a, nonce, mac: hmac(key, askText(a, nonce)) };
}

export function askSigned(key: Buffer, a: Ask): boolean {
  return typeof a.nonce === 'string' && same(a.mac, hmac(key, askText(a, a.nonce)));
}

export function signResult(key: Buffer, r: Result, receiverNonce: string): Result {
  return { ...r, mac: hmac(key, resultText(r, receiverNonce)) };
}

export function resultSigned(key: Buffer, r: Result, receiverNonce: string): boolean {
  return same(r.mac, hmac(key, resultText(r, receiverNonce)));
}
