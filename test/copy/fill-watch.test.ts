// The fill watch of a running copy: the first reading before the copy starts, the highest level
// kept, the copy's signal aborted with the reason at the threshold, at an invalid snapshot and
// at a failed reading; and what readFill() takes from the lvs reports captured in the lab.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFill } from '../../src/copy/fill.js';
import { FillWatch } from '../../src/copy/fill-watch.js';
import { parseLvs } from '../../src/system/parsers/lvs.js';

const report = (name: string) =>
  parseLvs(readFileSync(new URL(`../fixtures/lab/lvm/${name}.txt`, import.meta.url), 'utf8'));

describe('readFill (lab reports)', () => {
  it("classic: the snapshot's own copy-on-write space; an overflowed one carries its invalid mark", () => {
    expect(readFill(report('lvs-classic-snapshot'), 'vgpool', 'pool-baysync-copy', 'classic')).toEqual({
      reading: { attr: 'swi-a-s---', dataPercent: 20.12 },
      what: 'the snapshot vgpool/pool-baysync-copy',
    });
    expect(readFill(report('lvs-classic-invalid'), 'vgpool', 'pool-baysync-copy', 'classic').reading.attr).toBe(
      'swi-I-s---',
    );
  });

  it('thin: the pool, data or metadata, whichever is fuller', () => {
    expect(readFill(report('lvs-thin'), 'vgpool', 'thinvol-baysync-copy-2', 'thin')).toEqual({
      reading: { attr: 'Vwi---tz-k', dataPercent: 25.44 },
      what: 'the thin pool vgpool/thinpool',
    });
  });

  it("a snapshot that is gone is a missing reading with LVM's reason", () => {
    expect(readFill(report('lvs-missing'), 'vgpool', 'nosuch', 'classic').reading.missing).toMatch(
      /Failed to find logical volume/,
    );
  });
});

describe('FillWatch', () => {
  afterEach(() => vi.useRealTimers());

  it('reads before the copy starts, keeps the highest level, and aborts the copy at the threshold with the reason', async () => {
    vi.useFakeTimers();
    const levels = [10, 35, 20, 91];
    const seen: number[] = [];
    const w = new FillWatch({
      read: async () => ({ reading: { attr: 'swi-a-s---', dataPercent: levels.shift()! }, what: 'the snapshot' }),
      abortPercent: 90,
      intervalMs: 1000,
      onReading: (p) => seen.push(p),
    });
    await w.start();
    expect(seen).toEqual([10]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(w.signal.aborted).toBe(false);
    expect(w.maxPercent).toBe(35);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.signal.aborted).toBe(true);
    expect(String(w.signal.reason)).toMatch(/91\.0% full, at or above the abort threshold of 90%/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a snapshot already invalid stops the copy before it starts; a reading that throws stops it too', async () => {
    const invalid = new FillWatch({
      read: async () => ({ reading: { attr: 'swi-I-s---', dataPercent: 100 }, what: 'the snapshot' }),
      abortPercent: 90,
      intervalMs: 1000,
    });
    await invalid.start();
    expect(String(invalid.signal.reason)).toMatch(/invalidated by the kernel/);
    const failing = new FillWatch({
      read: () => Promise.reject(new Error('lvs timed out')),
      abortPercent: 90,
      intervalMs: 1000,
    });
    await failing.start();
    expect(String(failing.signal.reason)).toMatch(/could not be read \(lvs timed out\)/);
  });

  it('stop() ends the timer: nothing is read while no copy runs', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const w = new FillWatch({
      read: async () => ({ reading: { attr: 'swi-a-s---', dataPercent: ++reads }, what: 'the snapshot' }),
      abortPercent: 90,
      intervalMs: 1000,
    });
    await w.start();
    w.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toBe(1);
  });
});
