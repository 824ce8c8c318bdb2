import { describe, expect, it } from 'vitest';
import { Watchdog } from '../../src/daemon/watchdog.js';
import type { Service } from '../../src/jobs/service.js';
import { logger } from '../../src/log.js';

const svc = (stalled: () => number): Service => ({ name: 'rotation', stalledMs: stalled }) as unknown as Service;

describe('Watchdog (fed from progress, issue 10)', () => {
  it('pings while work moves, stops pinging while a job makes no progress, and pings again after', () => {
    let stalled = 0;
    let pings = 0;
    const w = new Watchdog([svc(() => stalled)], () => pings++, logger(), 1000);
    expect(w.tick()).toBe(true);
    stalled = 1001;
    expect(w.tick()).toBe(false);
    expect(w.tick()).toBe(false);
    stalled = 0;
    expect(w.tick()).toBe(true);
    expect(pings).toBe(2);
  });

  it('is armed at once and only under systemd (WATCHDOG_USEC)', () => {
    let pings = 0;
    const w = new Watchdog([svc(() => 0)], () => pings++, logger());
    w.start(0);
    expect(pings).toBe(0);
    w.start(180_000_000);
    expect(pings).toBe(1);
    w.stop();
  });
});
