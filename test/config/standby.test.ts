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

describe('the source marker (issue 10, section 5)', () => {
  it('"." or ".." would always exist and switch the guard off: refused', () => {
    const base = { mode: 'pull', source: '/home', destination: '/home', remote: { host: '10.0.0.1' } };
    for (const m of ['.', '..', 'a/b'])
      expect(realtimeSchema.safeParse({ ...base, source_marker: m }).success, m).toBe(false);
    expect(realtimeSchema.safeParse({ ...base, source_marker: '.baysync-source' }).success).toBe(true);
  });
});
