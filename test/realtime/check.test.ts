import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { realtimeCheck } from '../../src/realtime/check.js';

const cfg = parseConfigText(
  'standby.toml',
  readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8'),
).realtime!;
const st = (age: number | undefined, extra = {}) => ({
  mode: 'pull' as const,
  source: '/',
  destination: '/home',
  remote: 'ssh://root@x',
  consecutiveFailures: 0,
  bytesMovedTotal: 0,
  recoveryPointAgeSeconds: age,
  ...extra,
});

describe('the standby sync part of the check', () => {
  it('the recovery point warns past 10 intervals (at least 10 min) and is critical past 60 (at least 1 h)', () => {
    expect(realtimeCheck(cfg, st(30)).problems).toEqual([]);
    expect(realtimeCheck(cfg, st(900)).problems[0]?.code).toBe(1);
    expect(realtimeCheck(cfg, st(4000)).problems[0]?.code).toBe(2);
    expect(realtimeCheck(cfg, st(undefined, { suspended: 'failover active' })).oks).toEqual([
      'sync suspended (failover active)',
    ]);
  });
});
