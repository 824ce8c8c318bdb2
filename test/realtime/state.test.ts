import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealtimeStore, type SyncRun } from '../../src/realtime/state.js';

const run = (ok: boolean, startedAt: string, bytesSent = 10): SyncRun => ({
  kind: 'full',
  trigger: 'timer',
  startedAt,
  endedAt: startedAt,
  durationMs: 1,
  ok,
  bytesSent,
});

describe('realtime.json', () => {
  it('counts failures in a row, the recovery point of the newest good run, and the bytes moved', () => {
    const s = new RealtimeStore(mkdtempSync(join(tmpdir(), 'rt-')));
    s.record(run(true, '2026-11-22T10:00:00Z'), 1200);
    s.record(run(false, '2026-11-22T10:01:00Z'));
    const st = s.record(run(false, '2026-11-22T10:02:00Z'));
    expect(st).toMatchObject({
      consecutiveFailures: 2,
      lastSuccessStartedAt: '2026-11-22T10:00:00Z',
      lastFileCount: 1200,
      bytesMovedTotal: 30,
    });
    expect(s.record(run(true, '2026-11-22T10:03:00Z')).consecutiveFailures).toBe(0);
  });
});
