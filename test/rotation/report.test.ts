import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../src/jobs/progress.js';
import { rotationMail } from '../../src/rotation/report.js';
import type { RotationState } from '../../src/rotation/types.js';

const r: RotationState = {
  id: 'r1',
  set: 'A',
  phase: 'reporting',
  startedAt: '2026-11-22T10:00:00.000Z',
  timeline: [
    { phase: 'checking', at: '2026-11-22T10:00:00.000Z' },
    { phase: 'syncing', at: '2026-11-22T10:00:05.000Z' },
    { phase: 'detaching', at: '2026-11-22T10:40:05.000Z' },
  ],
  members: [
    { dev: 'sde2', disk: 'sde' },
    { dev: 'sdf2', disk: 'sdf' },
  ],
  rootPartitions: [],
  stripeDevice: 'md8',
  done: [],
  warnings: [
    'set A rotated twice in a row; the other set(s) are overdue: B (last: 2026-10-01) and this warning is long enough to need wrapping',
  ],
  joinMode: 're-add',
  expectReAdd: true,
  resyncBytes: 3 * 1048576,
  pauseWindow: { ms: 8400 },
  verify: {
    ok: true,
    detail: 'marker pc present, 20 sampled files identical',
    sampled: 20,
    mismatched: [],
    markerFound: true,
  },
  syncStartedAt: '2026-11-22T10:00:05.000Z',
  syncEndedAt: '2026-11-22T10:40:05.000Z',
};

describe('report mail', () => {
  it('a success says safe to remove, with timeline and figures, in lines of at most 76 characters', () => {
    const m = rotationMail(r, 'success', '2026-11-22T10:41:00.000Z');
    expect(m.subject).toBe('[baysync] set A: offline copy done, safe to remove');
    expect(m.text).toContain('SAFE TO REMOVE');
    expect(m.text).toMatch(/syncing +40 min 0 s/);
    expect(m.text).toMatch(/bytes resynced: +3\.0 MiB/);
    expect(m.text).toMatch(/BackupPC stopped: +8\.4 s during the detach/);
    expect(m.text.split('\n').every((l) => l.length <= 76)).toBe(true);
  });
  it('an abort says what happened and what to do', () => {
    const m = rotationMail(
      { ...r, abortReason: 'a drive of set A disappeared during syncing' },
      'aborted',
      '2026-11-22T10:41:00.000Z',
    );
    expect(m.subject).toContain('ABORTED');
    expect(m.text).toContain('INCOMPLETE');
    expect(m.text).toContain('plug the set in again');
  });
  it('formats', () => {
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(3_723_000)).toBe('1 h 2 min');
  });
});
