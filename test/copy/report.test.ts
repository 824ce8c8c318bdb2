// The snapshot copy's mail: the outcome and every figure the issue lists; a refusal because the
// guard is still tripped is not mailed again.
import { describe, expect, it } from 'vitest';
import type { CopyRunOutcome } from '../../src/copy/job-run.js';
import { copyReport } from '../../src/copy/report.js';

const now = Date.parse('2026-12-02T12:00:00Z');
const base: CopyRunOutcome = {
  at: '2026-12-02T11:58:00.000Z',
  ok: true,
  summary: 'verified: 3 chunks written of 75',
  durationMs: 95_000,
  bytesRead: 300 * 1048576,
  bytesSent: 12 * 1048576 + 300,
  chunksSent: 3,
  chunksWritten: 3,
  maxFillPercent: 4.2,
  notes: [],
  ran: [],
};

describe('the copy mail', () => {
  it('a verified run: read, sent, written, the fill, the duration, the age of the secondary’s copy', () => {
    const m = copyReport(base, 'vg0/pool', 'b', base.at, now)!;
    expect(m.subject).toBe('[baysync] snapshot copy of vg0/pool: verified');
    for (const line of [
      'read:     300.0 MiB',
      'sent:     12.0 MiB (3 chunks changed)',
      'written:  3 chunks on the secondary',
      'snapshot: at most 4.2% full',
      'duration: 95 s',
      "the secondary's last verified copy is from 2026-12-02 11:58 (0.0 h ago)",
    ])
      expect(m.text).toContain(line);
  });

  it('a failed run says FAILED and what to do; a refusal by a still-tripped guard is not mailed again', () => {
    const f = copyReport(
      { ...base, ok: false, summary: 'failed: the snapshot is 91.0% full' },
      'vg0/pool',
      'b',
      undefined,
      now,
    )!;
    expect(f.subject).toBe('[baysync] snapshot copy of vg0/pool: FAILED');
    expect(f.text).toContain('the secondary holds no verified copy yet');
    expect(f.text).toContain('What to do');
    const refused = { ...base, ok: false, refused: 'the snapshot-fill guard tripped at x: y', summary: 'refused: …' };
    expect(copyReport(refused, 'vg0/pool', 'b', undefined, now)).toBeUndefined();
    expect(
      copyReport({ ...refused, refused: 'the volume vg0/pool was not found' }, 'vg0/pool', 'b', undefined, now)
        ?.subject,
    ).toMatch(/REFUSED/);
  });
});
