import { describe, expect, it } from 'vitest';
import { crossCheckFailover, crossCheckRealtime, failoverSchema, realtimeSchema } from '../../src/config/standby.js';

describe('standby sections', () => {
  it('an rsync daemon transport needs its module, and cannot push', () => {
    const r = realtimeSchema.parse({
      mode: 'push',
      source: '/home',
      destination: '/home',
      remote: { host: '10.0.0.1', transport: 'rsyncd' },
    });
    expect(crossCheckRealtime(r).join('\n')).toMatch(/module: required[\s\S]*push mode needs 'ssh'/);
  });

  it('the two probes must use two networks and two addresses', () => {
    const f = failoverSchema.parse({
      service_address: '192.168.1.10/24',
      lan: { interface: 'eth0', peer: '192.168.1.10' },
      segment: { interface: 'eth0', peer: '192.168.1.10' },
    });
    expect(crossCheckFailover(f)).toHaveLength(2);
  });
});
