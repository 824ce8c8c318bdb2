import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Serial } from '../../src/jobs/serial.js';

const log = pino({ level: 'silent' });
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Serial', () => {
  it('runs work one at a time in order; a failure does not stop the queue', async () => {
    const s = new Serial(log);
    const seen: string[] = [];
    const a = s.run(async () => {
      seen.push('a start');
      await tick(20);
      seen.push('a end');
    });
    const b = s.run(async () => {
      seen.push('b');
      throw new Error('b failed');
    });
    const c = s.run(async () => void seen.push('c'));
    await Promise.all([a, b, c]);
    expect(seen).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('a request returns its own result or error, and the reconcile runs after it either way', async () => {
    const s = new Serial(log);
    const seen: string[] = [];
    const after = async () => void seen.push('reconcile');
    expect(await s.request(async () => 'started', after)).toBe('started');
    await expect(s.request(async () => Promise.reject(new Error('no set')), after)).rejects.toThrow('no set');
    await s.run(async () => undefined);
    expect(seen).toEqual(['reconcile', 'reconcile']);
  });
});

describe('Serial.runCoalesced', () => {
  it('a burst of calls while one is queued costs one more run, not one per call', async () => {
    const s = new Serial(log);
    let runs = 0;
    const slow = s.runCoalesced(async () => {
      runs++;
      await tick(30);
    });
    await tick(5); // the slow run has started: the burst queues exactly one more
    const burst = Array.from({ length: 3000 }, () => s.runCoalesced(async () => void runs++));
    await Promise.all([slow, ...burst]);
    expect(runs).toBe(2);
    let order = '';
    await Promise.all([
      s.runCoalesced(async () => {
        order += 'r';
      }),
      s.request(
        async () => {
          order += 'q';
        },
        async () => undefined,
      ),
    ]);
    expect(order).toBe('rq');
  });
});

describe('Serial.stalledMs (what the watchdog reads)', () => {
  it('0 while idle; grows while a run makes no progress; beat() resets it; 0 again after the run', async () => {
    let now = 1000;
    const s = new Serial(log, () => now);
    expect(s.stalledMs()).toBe(0);
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => (release = r));
    const done = s.run(() => hung);
    await Promise.resolve();
    now += 5000;
    expect(s.stalledMs()).toBe(5000);
    s.beat();
    now += 10;
    expect(s.stalledMs()).toBe(10);
    release();
    await done;
    expect(s.stalledMs()).toBe(0);
  });
});
