import { describe, expect, it } from 'vitest';
import { abortSteps, normalSteps, verifySteps } from '../../../src/rotation/steps/index.js';
import { normalPhases } from '../../../src/rotation/types.js';

describe('the rotation step list', () => {
  it('has unique ids, the abort steps all in phase aborting, and the verification inside the normal run', () => {
    const ids = [...normalSteps, ...abortSteps].map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(abortSteps.every((s) => s.phase === 'aborting')).toBe(true);
    expect(normalSteps.some((s) => s.phase === 'aborting')).toBe(false);
    for (const v of verifySteps) expect(normalSteps).toContain(v);
  });

  it('phases never go backwards along the normal run', () => {
    const order = normalPhases;
    const seen = normalSteps.map((s) => order.indexOf(s.phase));
    expect(seen.every((p, i) => p >= 0 && (i === 0 || p >= seen[i - 1]!))).toBe(true);
  });
});
