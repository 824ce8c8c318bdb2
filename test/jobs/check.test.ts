import { describe, expect, it } from 'vitest';
import { combineChecks, emptyCheck, perf } from '../../src/jobs/check.js';

describe('combining the jobs parts of the check', () => {
  it('the worst problem sets the level; with none, what is fine is said; perfdata joined', () => {
    const a = { ...emptyCheck(), oks: ['copy 1 day old'], perfs: ['age=1;;;0'] };
    const b = { ...emptyCheck(), problems: [{ code: 1 as const, text: 'late' }], perfs: ['x=2;;;0'] };
    expect(combineChecks([a])).toEqual({ code: 0, line: 'BAYSYNC OK - copy 1 day old | age=1;;;0' });
    expect(combineChecks([a, b])).toEqual({ code: 1, line: 'BAYSYNC WARNING - late | age=1;;;0 x=2;;;0' });
    expect(combineChecks([b, { ...emptyCheck(), problems: [{ code: 2, text: 'down' }] }]).code).toBe(2);
  });
});

describe('one perfdata item', () => {
  it('quotes a label with spaces or quotes, writes U for an unknown value, drops trailing empty fields', () => {
    expect(perf('age', 12, 's', { warn: 10, crit: 20, min: 0 })).toBe('age=12s;10;20;0');
    expect(perf("set off'site age", 3, 's')).toBe("'set off''site age'=3s");
    expect(perf('age', undefined, 's', { min: 0 })).toBe('age=U;;;0');
    expect(perf('age', Number.NaN)).toBe('age=U');
  });
});
