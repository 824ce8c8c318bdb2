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
  mailLastError: null,
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
      'BAYSYNC OK - real-time copy 70 s old; main server healthy | mail_spool=0;;;0 recovery_point_age=70s;600;3600;0',
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

// The monitoring-plugins guidelines' perfdata grammar ('label'=value[UOM];[warn];[crit];[min];[max],
// value a number or U), and the regex of the project's Perl parser (Monitoring::Plugin::Performance),
// which keeps only items with a numeric value.
const num = String.raw`-?\d+(?:\.\d+)?`;
const range = String.raw`@?(?:~|${num})?(?::(?:${num})?)?`;
const guideline = new RegExp(
  String.raw`^('(?:[^']|'')+'|[^'= ]+)=(U|${num}(?:s|ms|us|%|B|KB|MB|TB|c)?)(?:;(?:${range})?(?:;(?:${range})?(?:;(?:${num})?(?:;(?:${num})?)?)?)?)?$`,
);
const perlValue = String.raw`[-+]?[\d\.,]+(?:e[-+]?[\d\.,]+)?`;
const perl = new RegExp(String.raw`^'?([^'=]+)'?=(${perlValue})([\w%]*)`);
const items = (line: string): string[] => (line.split(' | ')[1] ?? '').match(/(?:'(?:[^']|'')+'|\S)+/g) ?? [];

describe("check's perfdata parses", () => {
  const rotationCfg = parseConfigText(
    'rotation',
    readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8'),
  );
  const outputs = [
    evaluateCheck(cfg, base({})).line,
    evaluateCheck(cfg, base({ realtime: { ...base({}).realtime!, recoveryPointAgeSeconds: undefined } })).line,
    evaluateCheck(
      rotationCfg,
      base({
        realtime: undefined,
        failover: undefined,
        mailPending: 2,
        sets: [
          { name: 'A', ageDays: 1.5, ageSeconds: 129_600, overdue: false },
          { name: 'B', overdue: true },
        ],
      }),
    ).line,
  ];

  it('every item follows the monitoring-plugins grammar, with U for an unknown value and s on ages', () => {
    for (const line of outputs) {
      const all = items(line);
      expect(all.length, line).toBeGreaterThan(0);
      for (const item of all) expect(item, line).toMatch(guideline);
      for (const item of all.filter((x) => /_age=/.test(x) && !/=U/.test(x))) expect(item).toMatch(/=\d+s;/);
    }
    expect(outputs[1]).toContain('recovery_point_age=U;600;3600;0');
    expect(outputs[2]).toContain('set_B_copy_age=U;;;0');
  });

  it('the Perl parser keeps every item whose value is known', () => {
    for (const line of outputs) {
      const known = items(line).filter((x) => !/=U(;|$)/.test(x));
      expect(known.filter((x) => perl.test(x)).length, line).toBe(known.length);
    }
  });
});

describe('the mail spool in check', () => {
  it("WARNING names the transport's last error beside the count", () => {
    const r = evaluateCheck(
      cfg,
      base({ mailPending: 2, mailLastError: '550 5.1.1 <root@example.test>: no such user' }),
    );
    expect(r.code).toBe(1);
    expect(r.line).toContain('2 mail(s) not delivered yet (550 5.1.1 <root@example.test>: no such user)');
  });
});
