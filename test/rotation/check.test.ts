import { describe, expect, it } from 'vitest';
import { rotationCheck } from '../../src/rotation/check.js';
import { rotationStatus } from '../../src/rotation/status.js';
import { emptyState } from '../../src/rotation/types.js';
import { cfg } from './fixtures.js';

const now = Date.parse('2026-11-22T00:00:00Z');

describe('the rotation part of the check', () => {
  it('no copy yet warns; an overdue copy warns, past twice the policy it is critical', () => {
    expect(rotationCheck(cfg, rotationStatus(cfg, emptyState(), now), 'idle').problems).toEqual([
      { code: 1, text: 'no successful rotation recorded yet' },
    ]);
    const s = emptyState();
    const old = (days: number) => ({
      id: 'x',
      set: 'A',
      outcome: 'success' as const,
      startedAt: '',
      endedAt: new Date(now - days * 86_400_000).toISOString(),
      summary: '',
    });
    s.history = [old(12)];
    expect(rotationCheck(cfg, rotationStatus(cfg, s, now), 'idle').problems).toEqual([
      { code: 1, text: 'rotation overdue: newest copy 12 days old' },
    ]);
    s.history = [old(25)];
    const part = rotationCheck(cfg, rotationStatus(cfg, s, now), 'idle');
    expect(part.problems[0]?.code).toBe(2);
    expect(part.perfs).toEqual([
      'newest_copy_age=2160000s;864000;1728000;0',
      'set_A_copy_age=2160000s;;;0',
      'set_B_copy_age=U;;;0',
    ]);
  });
});
