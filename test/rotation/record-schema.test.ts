// The rotation record's schema: what a resumed rotation or an abort relies on is checked
// strictly; fields added later pass through; a torn or hand-edited record is refused.
import { describe, expect, it } from 'vitest';
import { persistedStateSchema } from '../../src/rotation/record-schema.js';
import { emptyState } from '../../src/rotation/types.js';

const rotation = {
  id: '2026-12-01214610-A-848bd0',
  set: 'A',
  phase: 'syncing',
  startedAt: '2026-12-01T21:46:10.000Z',
  timeline: [{ phase: 'checking', at: '2026-12-01T21:46:10.000Z' }],
  members: [{ dev: 'sde2', disk: 'sde' }],
  rootPartitions: [{ dev: 'sde1', disk: 'sde' }],
  stripeDevice: 'md8',
  backuppc: { controlBefore: null, serviceWasActive: true },
  frozen: false,
  done: ['assemble-stripe', 'join-mirror'],
  warnings: [],
};
const history = {
  id: 'h1',
  set: 'B',
  outcome: 'success',
  startedAt: '2026-11-24T10:00:00.000Z',
  endedAt: '2026-11-24T10:09:00.000Z',
  summary: 'ok',
};

describe('persistedStateSchema', () => {
  it('accepts a record mid-rotation and keeps fields it does not know', () => {
    const rec = {
      ...emptyState(),
      rotation: { ...rotation, later: { x: 1 } },
      history: [history],
      lastBySet: { B: history },
    };
    const r = persistedStateSchema.safeParse(rec);
    expect(r.success).toBe(true);
    expect((r.data as unknown as { rotation: { later: unknown } }).rotation.later).toEqual({ x: 1 });
  });

  it('refuses what a resume or an abort could not trust: a lost member list, an unknown phase or step, null history', () => {
    const bad = [
      { ...emptyState(), rotation: { ...rotation, members: undefined } },
      { ...emptyState(), rotation: { ...rotation, phase: 'teleporting' } },
      { ...emptyState(), rotation: { ...rotation, done: ['rm -rf /'] } },
      { ...emptyState(), rotation: { ...rotation, backuppc: { controlBefore: null } } },
      { ...emptyState(), history: null },
      { ...emptyState(), waiting: null },
      { ...emptyState(), version: 2 },
    ];
    for (const b of bad) expect(persistedStateSchema.safeParse(b).success, JSON.stringify(b).slice(0, 120)).toBe(false);
  });
});
