// `status --json` has the same keys on every host: absent values are null, present ones kept.
import { describe, expect, it } from 'vitest';
import { statusJson } from '../../src/cli/status-json.js';
import type { StatusData } from '../../src/daemon/status.js';

const base = {
  version: '0.1.0',
  pid: 1,
  startedAt: '2026-12-01T00:00:00.000Z',
  statusLine: 'idle',
  mailPending: 0,
  mailLastError: null,
  rotation: null,
  sets: [
    { name: 'A', overdue: true },
    { name: 'B', overdue: false, ageDays: 1.5, ageSeconds: 129600 },
  ],
  waiting: [],
  poolProblems: [],
  history: [],
} as unknown as StatusData;

describe('statusJson', () => {
  it('a host with no rotation yet, no sync and no failover: every documented key, null', () => {
    const j = statusJson(base);
    expect(j).toMatchObject({ version: '0.1.0', plan: null, oldestCopyAgeDays: null, realtime: null, failover: null });
    expect(j.sets).toEqual([
      {
        name: 'A',
        overdue: true,
        lastSuccess: null,
        lastOutcome: null,
        lastProved: null,
        ageDays: null,
        ageSeconds: null,
      },
      {
        name: 'B',
        overdue: false,
        lastSuccess: null,
        lastOutcome: null,
        lastProved: null,
        ageDays: 1.5,
        ageSeconds: 129600,
      },
    ]);
  });

  it('the parts that exist get their absent fields as null too, and keep the rest', () => {
    const j = statusJson({
      ...base,
      rotation: { set: 'A', phase: 'syncing', percent: 12.5 },
      realtime: { mode: 'pull', consecutiveFailures: 0 },
      failover: { phase: 'monitoring' },
    } as unknown as StatusData);
    expect(j.rotation).toMatchObject({ phase: 'syncing', percent: 12.5, etaSeconds: null });
    expect(j.realtime).toMatchObject({ mode: 'pull', lastRun: null, copyAsOf: null, push: null });
    expect(j.failover).toEqual({ phase: 'monitoring', takeover: null });
  });
});
