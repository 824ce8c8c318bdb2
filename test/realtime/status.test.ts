import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { realtimeStatus } from '../../src/realtime/status.js';

const cfg = parseConfigText(
  'standby.toml',
  readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8'),
);
const now = Date.parse('2026-11-22T10:05:00Z');
const ok = {
  kind: 'full' as const,
  trigger: 'timer',
  startedAt: '2026-11-22T10:00:00Z',
  endedAt: '2026-11-22T10:00:30Z',
  durationMs: 30_000,
  ok: true,
};

describe('the standby sync in status', () => {
  it('the recovery point is the start of the newest good run', () => {
    const st = {
      version: 1 as const,
      consecutiveFailures: 0,
      bytesMovedTotal: 0,
      runs: [ok],
      lastSuccessStartedAt: ok.startedAt,
      lastSuccessAt: ok.endedAt,
    };
    expect(realtimeStatus(cfg, st, now, {})).toMatchObject({
      mode: 'pull',
      copyAsOf: '2026-11-22T10:00:00Z',
      recoveryPointAgeSeconds: 300,
    });
  });

  it('with a watching push the copy is as of the oldest change not yet sent', () => {
    const st = {
      version: 1 as const,
      consecutiveFailures: 0,
      bytesMovedTotal: 0,
      runs: [ok],
      lastSuccessStartedAt: ok.startedAt,
    };
    const push = { watcher: 'watching' as const, pending: 1, oldestPendingAt: '2026-11-22T10:04:58Z' };
    expect(realtimeStatus(cfg, st, now, { push })?.recoveryPointAgeSeconds).toBe(2);
  });
});
