// `baysync copy send`'s report, and its refusal without a [copy] section. The transfer itself
// is proved over real sshd in test/netns/copy.test.ts.
import { describe, expect, it } from 'vitest';
import { copySend, renderSend } from '../../src/cli/copy.js';
import { parseConfigText } from '../../src/config/load.js';

describe('copy send', () => {
  it('says what was read, sent, written and verified', () => {
    const text = renderSend({
      known: 10,
      sent: { chunks: 12, chunksSent: 2, bytesRead: 12 * 1048576, bytesSent: 2 * 1048576 + 300 },
      result: { kind: 'result', ok: true, chunksWritten: 2, bytesWritten: 2 * 1048576 },
    });
    expect(text).toContain('read 12.0 MiB in 12 chunks; sent 2 chunks');
    expect(text).toContain('verified');
    expect(renderSend({ refused: 'too small' })).toBe('the receiver refused the copy: too small');
    expect(
      renderSend({
        known: 0,
        result: { kind: 'result', ok: false, reason: 'chunk 3 differs', chunksWritten: 0, bytesWritten: 0 },
      }),
    ).toContain('FAILED: chunk 3 differs');
  });

  it('a host without [copy] is told so', async () => {
    const cfg = parseConfigText('t.toml', '[copy_receive]\ntarget = "/dev/vg1/copy"\n[mail]\nto = ["a@b.c"]\n');
    await expect(copySend(cfg)).rejects.toThrow(/no \[copy\] section/);
  });
});
