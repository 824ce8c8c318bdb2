// The monitoring plugin's verdicts for a standby server (real-time sync and failover).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCheck } from '../../src/cli/check.js';
import { parseConfigText } from '../../src/config/load.js';
import type { StatusData } from '../../src/daemon/status.js';

const cfg = parseConfigText('standby', readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8'));
const base = (over: Partial<StatusData>): StatusData => ({
  version: '0',
  pid: 1,
  startedAt: '2026-11-22T00:00:00Z',
  statusLine: 'failover: healthy',
  rotation: null,
  sets: [],
  waiting: [],
  poolProblems: [],
  mailPending: 0,
  history: [],
  realtime: {
    mode: 'pull',
    source: '/',
    destination: '/home',
    remote: 'ssh://root@10.168.1.1',
    consecutiveFailures: 0,
    bytesMovedTotal: 0,
    recoveryPointAgeSeconds: 70,
  },
  failover: {
    phase: 'monitoring',
    verdict: 'healthy',
    serviceAddress: '192.168.1.1/24',
    rounds: 3,
    transitions: [],
    lan: { up: true, fails: 0, oks: 3, peer: '192.168.1.1', interface: 'eth0' },
    segment: { up: true, fails: 0, oks: 3, peer: '10.168.1.1', interface: 'eth1' },
  },
  ...over,
});

describe('baysync check on a standby', () => {
  it('OK with a fresh copy and a healthy main server', () => {
    const r = evaluateCheck(cfg, base({}));
    expect(r).toMatchObject({ code: 0 });
    expect(r.line).toBe(
      'BAYSYNC OK - real-time copy 70 s old; main server healthy | mail_spool=0;;;0 recovery_point_age_s=70;600;3600;0',
    );
  });

  it('WARNING when the copy lags, CRITICAL when it is an hour old', () => {
    expect(evaluateCheck(cfg, base({ realtime: { ...base({}).realtime!, recoveryPointAgeSeconds: 900 } })).code).toBe(
      1,
    );
    expect(evaluateCheck(cfg, base({ realtime: { ...base({}).realtime!, recoveryPointAgeSeconds: 4000 } })).code).toBe(
      2,
    );
  });

  it("CRITICAL while this standby serves the main server's address", () => {
    const r = evaluateCheck(
      cfg,
      base({
        failover: { ...base({}).failover!, phase: 'active' },
        realtime: { ...base({}).realtime!, suspended: 'failover active' },
      }),
    );
    expect(r.code).toBe(2);
    expect(r.line).toContain('failover active: this standby serves 192.168.1.1/24');
  });

  it('WARNING when one network path to the main server is down', () => {
    expect(evaluateCheck(cfg, base({ failover: { ...base({}).failover!, verdict: 'segment-down' } })).line).toContain(
      'WARNING - failover monitor: segment-down',
    );
  });
});
