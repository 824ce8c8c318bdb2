// compareSample over temp trees: a uniform sample of the whole tree, files changed or moved since
// the detach counted and listed apart, a differing or missing file a mismatch.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareSample } from '../../src/rotation/verify.js';

function trees(): { live: string; copy: string } {
  const root = mkdtempSync(join(tmpdir(), 'sample-'));
  const live = join(root, 'live');
  const copy = join(root, 'copy');
  for (const d of [live, copy]) {
    mkdirSync(join(d, 'pc/localhost/1'), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(d, 'pc/localhost/1', `f${i}`), `content ${i}\n`);
  }
  return { live, copy };
}
const later = (): number => Date.now() + 60_000; // every file counts as older than the detach

describe('compareSample', () => {
  it('identical trees: every sampled file matches', async () => {
    const { live, copy } = trees();
    expect(await compareSample(live, copy, 4, later())).toMatchObject({
      sampled: 4,
      mismatched: [],
      changed: 0,
      moved: 0,
    });
  });

  it('a copy that differs from an unchanged live file is a mismatch', async () => {
    const { live, copy } = trees();
    writeFileSync(join(copy, 'pc/localhost/1/f0'), 'stale\n');
    const r = await compareSample(live, copy, 6, later());
    expect(r.mismatched).toEqual(['pc/localhost/1/f0']);
  });

  it('a live file rewritten during the check is left out, not reported as a mismatch', async () => {
    const { live, copy } = trees();
    const r = await compareSample(live, copy, 6, later(), async (files) => {
      await new Promise((res) => setTimeout(res, 20)); // a later ctime
      writeFileSync(join(live, files[0]!), 'rewritten by BackupPC\n');
    });
    expect(r).toMatchObject({ sampled: 5, mismatched: [], changed: 1, moved: 0 });
    expect(r.skipped).toHaveLength(1);
  });

  it('files changed after the detach are not compared: counted and listed as skipped', async () => {
    const { live, copy } = trees();
    writeFileSync(join(copy, 'pc/localhost/1/f0'), 'stale\n');
    const r = await compareSample(live, copy, 6, Date.now() - 60_000);
    expect(r).toMatchObject({ sampled: 0, mismatched: [], changed: 6, moved: 0 });
    expect(r.skipped).toContain('pc/localhost/1/f0');
  });

  it('the sample is drawn from the whole tree, not from the first files of a sorted walk', async () => {
    const root = mkdtempSync(join(tmpdir(), 'uniform-'));
    for (const side of ['live', 'copy'])
      for (const d of ['a', 'm', 'z']) {
        mkdirSync(join(root, side, d), { recursive: true });
        for (let i = 0; i < 40; i++) writeFileSync(join(root, side, d, `f${i}`), `${d}${i}`);
      }
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const picked: string[] = [];
    await compareSample(
      join(root, 'live'),
      join(root, 'copy'),
      12,
      later(),
      async (f) => void picked.push(...f),
      undefined,
      random,
    );
    expect(picked).toHaveLength(48); // 4 × n candidates, examined until n were compared
    expect(new Set(picked.map((p) => p[0])).size).toBe(3);
  });

  it('a busy pool still yields n comparisons: files changed since the detach do not use up the sample', async () => {
    const root = mkdtempSync(join(tmpdir(), 'busy-'));
    const put = (name: string): void => {
      for (const side of ['live', 'copy']) writeFileSync(join(root, side, name), name);
    };
    for (const side of ['live', 'copy']) mkdirSync(join(root, side));
    for (let i = 0; i < 8; i++) put(`old${i}`);
    await new Promise((res) => setTimeout(res, 2500));
    const detach = Date.now(); // the old files are more than 2 s older, the new ones are not
    for (let i = 0; i < 12; i++) put(`new${i}`);
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const r = await compareSample(join(root, 'live'), join(root, 'copy'), 5, detach, undefined, undefined, random);
    expect(r).toMatchObject({ sampled: 5, mismatched: [], seen: 20, wholePool: false });
    expect(r.skipped.every((p) => p.startsWith('new'))).toBe(true);
  });

  it('a small pool with no file older than the detach is examined whole, and says so', async () => {
    const { live, copy } = trees();
    const r = await compareSample(live, copy, 20, Date.now() - 60_000);
    expect(r).toMatchObject({ sampled: 0, changed: 6, seen: 6, wholePool: true });
  });
});

describe('compareSample after BackupPC renamed a backup directory', () => {
  it('files moved to a new path by a directory rename after the detach are left out, not mismatches', async () => {
    const { live, copy } = trees();
    await new Promise((res) => setTimeout(res, 1100));
    const before = Date.now() + 1000; // files are older than before - 2 s, the rename is not
    const { renameSync } = await import('node:fs');
    renameSync(join(live, 'pc/localhost/1'), join(live, 'pc/localhost/2')); // what BackupPC 4 does when a dump starts
    const r = await compareSample(live, copy, 6, before);
    expect(r).toMatchObject({ sampled: 0, mismatched: [], changed: 0, moved: 6 });
  });

  it('a file missing from the copy with no directory change since the detach is a mismatch', async () => {
    const { live, copy } = trees();
    const { rmSync } = await import('node:fs');
    rmSync(join(copy, 'pc/localhost/1/f3'));
    const r = await compareSample(live, copy, 6, later());
    expect(r.mismatched).toEqual(['pc/localhost/1/f3']);
  });
});

describe('compareSample progress (the watchdog is fed while a verification reads)', () => {
  it('beats once per directory read and per sampled file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'beat-'));
    const old = new Date(Date.now() - 3600_000);
    for (const side of ['live', 'copy']) {
      mkdirSync(join(root, side));
      for (const f of ['a', 'b', 'c']) {
        writeFileSync(join(root, side, f), f);
        utimesSync(join(root, side, f), old, old);
      }
    }
    let beats = 0;
    const r = await compareSample(
      join(root, 'live'),
      join(root, 'copy'),
      3,
      Date.now() + 10_000,
      undefined,
      () => beats++,
    );
    expect(r.sampled + r.changed + r.moved + 1).toBe(beats); // one directory
    expect(beats).toBeGreaterThan(0);
  });
});
