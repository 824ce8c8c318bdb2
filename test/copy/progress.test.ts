// The progress of a running copy: percent, the rate of the last interval and the ETA, published
// at most every interval and logged at most every minute.
import { describe, expect, it } from 'vitest';
import { CopyProgress, type ProgressSnap } from '../../src/copy/progress.js';

const mib = 1048576;

describe('copy progress', () => {
  it('publishes percent, MiB/s of the last interval and ETA, at most every 2 s; logs at most every minute', () => {
    let t = 0;
    const snaps: ProgressSnap[] = [];
    const lines: string[] = [];
    const p = new CopyProgress({
      total: 1000 * mib,
      now: () => t,
      publish: (s) => snaps.push(s),
      log: (l) => lines.push(l),
    });
    t = 1000;
    p.update(50 * mib); // too soon after the start: nothing
    expect(snaps).toEqual([]);
    t = 2000;
    p.update(100 * mib);
    expect(snaps.at(-1)!.text).toBe('10.0%, 50.0 MiB/s, ETA 18s');
    t = 4000;
    p.update(300 * mib);
    expect(snaps.at(-1)!.text).toBe('30.0%, 100.0 MiB/s, ETA 7s');
    expect(lines).toEqual([]);
    t = 60_000;
    p.update(900 * mib);
    expect(lines).toEqual(['copying: 90.0%, 10.7 MiB/s, ETA 9s']);
    expect(snaps.at(-1)).toMatchObject({ bytesRead: 900 * mib, total: 1000 * mib, at: '1970-01-01T00:01:00.000Z' });
  });
});
