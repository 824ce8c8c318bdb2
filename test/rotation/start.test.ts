import { describe, expect, it } from 'vitest';
import { newRotation, whichToStart } from '../../src/rotation/start.js';
import { emptyState, type HistoryEntry } from '../../src/rotation/types.js';
import { baseFacts, cand, cfg, H } from './fixtures.js';

const entry = (set: string, outcome: HistoryEntry['outcome'] = 'success'): HistoryEntry => ({
  id: 'x',
  set,
  outcome,
  startedAt: '2026-11-01T00:00:00Z',
  endedAt: '2026-11-01T01:00:00Z',
  summary: '',
});

describe('newRotation', () => {
  it('records the set as found, expects a bitmap re-add after a successful rotation', () => {
    const s = emptyState();
    expect(newRotation(cfg, s, 'A', baseFacts(), '2026-11-22T10:15:00.000Z', 'abc').r).toMatchObject({
      id: '2026-11-22101500-A-abc',
      phase: 'checking',
      members: [{ dev: 'sde2' }, { dev: 'sdf2' }],
      stripeDevice: 'md8',
      expectReAdd: undefined,
    });
    s.lastBySet.A = entry('A');
    expect(newRotation(cfg, s, 'A', baseFacts(), '2026-11-22T10:15:00.000Z', 'abc').r.expectReAdd).toBe(true);
  });

  it('warns when the same set rotates twice in a row (invariant 6)', () => {
    const s = emptyState();
    s.history = [entry('A')];
    const { r, warning } = newRotation(cfg, s, 'A', baseFacts(), '2026-11-22T10:15:00.000Z', 'abc');
    expect(warning).toMatch(/rotated twice in a row.*B \(last: never\)/);
    expect(r.warnings).toEqual([warning]);
  });
});

describe('whichToStart', () => {
  it('the set that waited goes first; a set that just rotated waits until unplugged; auto_start off starts nothing', () => {
    const both = baseFacts({
      candidates: [...baseFacts().candidates, cand('sdg2', 'sdg', H(9)), cand('sdh2', 'sdh', H(9))],
    });
    const s = emptyState();
    expect(whichToStart(cfg, s, both, new Set()).start).toBe('A');
    s.waiting = ['B'];
    expect(whichToStart(cfg, s, both, new Set()).start).toBe('B');
    expect(whichToStart(cfg, emptyState(), both, new Set(['A'])).start).toBe('B');
    const manual = { ...cfg, policy: { ...cfg.policy, auto_start: false } };
    expect(whichToStart(manual, emptyState(), both, new Set())).toEqual({ manual: ['A', 'B'] });
  });
});
