// A restart asked for by a package upgrade never cuts a job short: at once when idle, else when
// the job ends, and only once.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RestartWhenIdle } from '../../src/daemon/restart-when-idle.js';

const log = pino({ level: 'silent' });

describe('RestartWhenIdle', () => {
  it('idle: restarts at once (on the next tick, after the answer went out)', async () => {
    let restarts = 0;
    const r = new RestartWhenIdle(
      () => undefined,
      () => restarts++,
      log,
    );
    expect(r.request()).toEqual({ now: true });
    expect(restarts).toBe(0);
    await new Promise((res) => setImmediate(res));
    expect(restarts).toBe(1);
  });

  it('a package upgrade never cuts a running job short: deferred, then done when the job ends, once', () => {
    let busy: string | undefined = 'set A: syncing 42 %';
    let restarts = 0;
    const r = new RestartWhenIdle(
      () => busy,
      () => restarts++,
      log,
    );
    expect(r.request()).toEqual({ now: false, busy: 'set A: syncing 42 %' });
    r.check();
    expect(restarts).toBe(0);
    busy = undefined;
    r.check();
    r.check();
    expect(restarts).toBe(1);
  });

  it('without a request, a job ending restarts nothing', () => {
    let restarts = 0;
    const r = new RestartWhenIdle(
      () => undefined,
      () => restarts++,
      log,
    );
    r.check();
    expect(restarts).toBe(0);
  });
});
