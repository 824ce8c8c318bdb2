import { describe, expect, it } from 'vitest';
import { rotationStatus, setStatuses } from '../../src/rotation/status.js';
import { emptyState } from '../../src/rotation/types.js';
import { cfg, rot } from './fixtures.js';

const day = 86_400_000;
const now = Date.parse('2026-11-22T00:00:00Z');

describe('rotation status', () => {
  it('each set copy age, overdue after warn_after_days + rotation_days x (sets - 1)', () => {
    const s = emptyState();
    s.lastBySet.A = {
      id: 'a',
      set: 'A',
      outcome: 'success',
      startedAt: '',
      endedAt: new Date(now - 3 * day).toISOString(),
      summary: '',
    };
    s.history = [s.lastBySet.A];
    const [a, b] = setStatuses(cfg, s, now);
    expect(a).toMatchObject({ name: 'A', ageDays: 3, overdue: false });
    expect(b).toMatchObject({ name: 'B', overdue: true });
    expect(b!.ageDays).toBeUndefined();
  });

  it('the running rotation with its percent and ETA', () => {
    const s = emptyState();
    s.rotation = rot({ phase: 'syncing', progress: { done: 250, total: 1000, speedKps: 1, at: 't' } });
    const st = rotationStatus(cfg, s, now);
    expect([st.rotation?.percent, st.oldestCopyAgeDays]).toEqual([25, undefined]);
  });
});
