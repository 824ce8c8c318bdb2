// The snapshot-fill decision: abort at the threshold, at an invalid snapshot, and when the
// reading is missing; never go on without a reading.
import { describe, expect, it } from 'vitest';
import { fillDecision, maxFill } from '../../src/copy/fill.js';

describe('snapshot fill', () => {
  it('goes on below the threshold and aborts at it, saying what to change', () => {
    expect(fillDecision({ attr: 'swi-a-s---', dataPercent: 42.5 }, 90)).toEqual({ go: true, percent: 42.5 });
    const d = fillDecision({ attr: 'swi-a-s---', dataPercent: 90 }, 90);
    expect(d).toMatchObject({ go: false, reason: expect.stringMatching(/90\.0% full.*snapshot_size/) });
  });

  it('aborts at an invalidated snapshot whatever its percentage says', () => {
    expect(fillDecision({ attr: 'swi-I-s---', dataPercent: 100 }, 99)).toMatchObject({
      go: false,
      reason: expect.stringMatching(/invalidated by the kernel/),
    });
    expect(fillDecision({ attr: 'swi-I-s---', dataPercent: 10 }, 99).go).toBe(false);
  });

  it('never takes a missing or empty reading for a good one', () => {
    expect(fillDecision({ missing: 'not found' }, 90)).toMatchObject({
      go: false,
      reason: expect.stringMatching(/not found/),
    });
    expect(fillDecision({ attr: 'swi-a-s---' }, 90).go).toBe(false);
    expect(fillDecision({ dataPercent: Number.NaN }, 90).go).toBe(false);
  });

  it('keeps the highest fill for the report', () => {
    let m: number | undefined;
    for (const p of [3, 50, 20]) m = maxFill(m, fillDecision({ dataPercent: p }, 90));
    expect(m).toBe(50);
  });
});
