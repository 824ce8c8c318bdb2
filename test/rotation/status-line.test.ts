import { describe, expect, it } from 'vitest';
import { idleStatus, mirrorProgress, statusLine } from '../../src/rotation/status-line.js';
import { emptyState } from '../../src/rotation/types.js';
import { rot } from './fixtures.js';

describe('status line', () => {
  it('shows percent, rate and ETA while syncing, else the phase and what it does', () => {
    const r = rot({ phase: 'syncing', progress: { done: 500, total: 1000, speedKps: 1024, at: 't' } });
    expect(statusLine(r)).toBe('set A: syncing 50.0%, 1.0 MiB/s, ETA 0s');
    expect(statusLine(rot({ phase: 'detaching' }), 'freeze')).toBe('set A: detaching (freeze)');
  });

  it('idle: the last rotation and the sets waiting', () => {
    const s = emptyState();
    s.history = [
      { id: 'x', set: 'B', outcome: 'success', startedAt: 't', endedAt: '2026-11-22T10:15:00Z', summary: '' },
    ];
    s.waiting = ['A'];
    expect(idleStatus(s)).toBe('idle; last rotation: set B success 2026-11-22 10:15; waiting: A');
    expect(mirrorProgress({ syncCompleted: undefined }, 't')).toBeUndefined();
  });
});
