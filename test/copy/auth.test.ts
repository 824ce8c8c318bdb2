// The TCP transport's handshake signatures: a request or a result signed with another key, or
// altered after signing, or not signed, does not pass.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { askSigned, resultSigned, signAsk, signResult } from '../../src/copy/auth.js';
import { encodeMessage, parseMessage } from '../../src/copy/hello.js';

const key = randomBytes(32);
const nonce = randomBytes(16).toString('hex');

describe('handshake signatures', () => {
  it('a signed request passes, through its wire form too; another key, a change or no signature fails', () => {
    const ask = signAsk(key, { kind: 'ask', volumeBytes: 1 << 30, chunkBytes: 1 << 22 });
    expect(askSigned(key, ask)).toBe(true);
    const wire = parseMessage(encodeMessage(ask).toString().trim());
    expect(wire.kind === 'ask' && askSigned(key, wire)).toBe(true);
    expect(askSigned(randomBytes(32), ask)).toBe(false);
    expect(askSigned(key, { ...ask, volumeBytes: 1 << 20 })).toBe(false);
    expect(askSigned(key, { kind: 'ask', volumeBytes: 1 << 30, chunkBytes: 1 << 22 })).toBe(false);
  });

  it("a result is bound to the receiver's nonce: a forged ok, or a replay from another session, fails", () => {
    const r = signResult(
      key,
      { kind: 'result', ok: false, reason: 'chunk 3', chunksWritten: 2, bytesWritten: 9 },
      nonce,
    );
    expect(resultSigned(key, r, nonce)).toBe(true);
    expect(resultSigned(key, { ...r, ok: true }, nonce)).toBe(false);
    const checked = signResult(
      key,
      { ...r, ok: true, fsck: { tool: 'e2fsck -fn', ok: false, detail: 'damage' } },
      nonce,
    );
    expect(resultSigned(key, checked, nonce)).toBe(true);
    expect(resultSigned(key, { ...checked, fsck: { ...checked.fsck!, ok: true } }, nonce)).toBe(false);
    expect(resultSigned(key, r, randomBytes(16).toString('hex'))).toBe(false);
    expect(resultSigned(key, { ...r, mac: undefined }, nonce)).toBe(false);
  });
});
