import { describe, expect, it } from 'vitest';
import { composeStatus } from '../../src/daemon/status.js';
import { cfg } from '../rotation/fixtures.js';

describe('status --json', () => {
  it('a host without a rotation still has the rotation fields, empty; each job part is merged over them', () => {
    const base = { version: '0.1.0', pid: 1, startedAt: 't', statusLine: 'idle', mailPending: 0, mailLastError: null };
    const s = composeStatus({ ...cfg, sets: [] }, base, 0, [{ failover: { phase: 'monitoring' } }]);
    expect(s).toMatchObject({
      ...base,
      rotation: null,
      sets: [],
      waiting: [],
      poolProblems: [],
      history: [],
      failover: { phase: 'monitoring' },
    });
  });
});
