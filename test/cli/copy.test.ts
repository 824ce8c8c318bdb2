// `baysync copy send`'s report, and its refusal without a [copy] section. The transfer itself
// is proved over real sshd in test/netns/copy.test.ts.
import { describe, expect, it } from 'vitest';
import { copyRun, copySend, renderRun, renderSend } from '../../src/cli/copy.js';
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

describe('copy run', () => {
  it('needs copy.volume, and says so; copy send with only a volume points to copy run', async () => {
    const cfg = parseConfigText(
      't.toml',
      '[copy]\nsource = "/dev/x"\n[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n',
    );
    await expect(copyRun(cfg, {}, () => undefined)).rejects.toThrow(/copy run needs copy.volume = "vg\/lv"/);
    const vol = parseConfigText(
      't.toml',
      '[copy]\nvolume = "vg0/pool"\n[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n',
    );
    await expect(copySend(vol)).rejects.toThrow(/`baysync copy run` snapshots it/);
  });

  it('prints a plan step by step with its commands, a refusal, and an outcome', () => {
    expect(renderRun({ plan: { refused: 'the volume vg0/pool was not found' } })).toBe(
      'a run would be refused: the volume vg0/pool was not found',
    );
    const text = renderRun({
      at: '2026-12-02T10:00:00.000Z',
      ok: false,
      summary: 'failed: the snapshot vg0/pool-baysync-copy-2 is 91.0% full',
      durationMs: 61_500,
      bytesRead: 10 * 1048576,
      maxFillPercent: 91,
      notes: ['a note'],
      ran: [],
    });
    expect(text).toContain('read 10.0 MiB, sent - (- chunks)');
    expect(text).toContain('at most 91.0% full; 61.5 s');
    expect(text).toContain('note: a note');
  });
});
