import { describe, expect, it } from 'vitest';
import { combineChecks, emptyCheck } from '../../src/jobs/check.js';

describe('combining the jobs parts of the check', () => {
  it('the worst problem sets the level; with none, what is fine is said; perfdata joined', () => {
    const a = { ...emptyCheck(), oks: ['copy 1 day old'], perfs: ['age=1;;;0'] };
    const b = { ...emptyCheck(), problems: [{ code: 1 as const, text: 'late' }], perfs: ['x=2;;;0'] };
    expect(combineChecks([a])).toEqual({ code: 0, line: 'BAYSYNC OK - copy 1 day old | age=1;;;0' });
    expect(combineChecks([a, b])).toEqual({ code: 1, line: 'BAYSYNC WARNING - late | age=1;;;0 x=2;;;0' });
    expect(combineChecks([b, { ...emptyCheck(), problems: [{ code: 2, text: 'down' }] }]).code).toBe(2);
  });
});
