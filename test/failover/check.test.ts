import { describe, expect, it } from 'vitest';
import { failoverCheck } from '../../src/failover/check.js';
import type { FailoverStatus } from '../../src/failover/monitor.js';

const fo = (phase: string, verdict: string) =>
  ({ phase, verdict, serviceAddress: '192.168.1.1/24' }) as unknown as FailoverStatus;

describe('the failover part of the check', () => {
  it('a takeover made is critical, a path down a warning, healthy is fine', () => {
    expect(failoverCheck(fo('active', 'a-down')).problems).toEqual([
      { code: 2, text: 'failover active: this standby serves 192.168.1.1/24' },
    ]);
    expect(failoverCheck(fo('monitoring', 'lan-down')).problems).toEqual([
      { code: 1, text: 'failover monitor: lan-down' },
    ]);
    expect(failoverCheck(fo('monitoring', 'healthy')).oks).toEqual(['main server healthy']);
  });
});
