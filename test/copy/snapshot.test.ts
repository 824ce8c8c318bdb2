// The copy's snapshot decisions, on volumes parsed from the lvs reports captured in the Debian
// 13 lab guest: what is baysync's, what is created, reused, kept as the thin base and removed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  afterRun,
  changedChunks,
  ownedSnapshots,
  planSnapshot,
  snapshotName,
  strayOps,
} from '../../src/copy/snapshot.js';
import { renderOp } from '../../src/system/op.js';
import { type Lv, parseLvs } from '../../src/system/parsers/lvs.js';

const lvs = (name: string): Lv[] =>
  parseLvs(readFileSync(new URL(`../fixtures/lab/lvm/${name}.txt`, import.meta.url), 'utf8')).lvs;
const thin = lvs('lvs-thin');
const thinvol = thin.find((l) => l.name === 'thinvol')!;
const pool = lvs('lvs-classic-origin')[0]!;
const render = (ops: Parameters<typeof renderOp>[0][]): string[] => ops.map(renderOp);
// The captured snapshots are named -1 and -2: baysync's names.
const thinRef = { vg: 'vgpool', lv: 'thinvol' };

describe('which snapshots are baysync’s', () => {
  it('a snapshot is baysync’s only by its tag, volume group, origin and name together; another tagged volume is reported, never removed', () => {
    const renamed: Lv = { ...thin[3]!, name: 'thinvol-mine' };
    const otherOrigin: Lv = { ...thin[4]!, origin: 'pool' };
    const untagged: Lv = { ...thin[3]!, name: 'thinvol-baysync-copy-7', tags: [] };
    const { owned, strangers } = ownedSnapshots([...thin, renamed, otherOrigin, untagged], thinRef);
    expect(owned.map((o) => o.gen)).toEqual([1, 2]);
    expect(strangers.map((l) => l.name)).toEqual(['thinvol-mine', 'thinvol-baysync-copy-2']);
    expect(ownedSnapshots(thin, { vg: 'other', lv: 'thinvol' }).owned).toEqual([]);
  });
});

describe('planSnapshot', () => {
  it('classic: a new generation with the configured copy-on-write space; leftovers removed first', () => {
    const left = { ...lvs('lvs-classic-snapshot')[1]!, name: 'pool-baysync-copy-4' };
    const p = planSnapshot(
      pool,
      ownedSnapshots([pool, left], { vg: 'vgpool', lv: 'pool' }).owned,
      { lastGen: 2 },
      '100%FREE',
    );
    expect(p).toMatchObject({ kind: 'classic', gen: 5, name: 'pool-baysync-copy-5', notes: [] });
    expect(render([p.create!])).toEqual([
      'lvcreate --yes --snapshot --name pool-baysync-copy-5 --addtag baysync-copy --extents 100%FREE -- vgpool/pool',
    ]);
    expect(render(p.remove)).toEqual(['lvremove --yes -- vgpool/pool-baysync-copy-4']);
    expect(render([planSnapshot(pool, [], { lastGen: 0 }, '20G').create!])[0]).toContain('--size 20G --');
  });

  it('thin: the verified base is kept for thin_delta, the other snapshot removed, the new one activated', () => {
    const p = planSnapshot(thinvol, ownedSnapshots(thin, thinRef).owned, { lastGen: 2, thinBase: 1 }, '100%FREE');
    expect(p).toMatchObject({ kind: 'thin', gen: 3, base: { gen: 1 }, notes: [] });
    expect(render([p.create!])).toEqual([
      'lvcreate --yes --snapshot --setactivationskip n --name thinvol-baysync-copy-3 --addtag baysync-copy -- vgpool/thinvol',
    ]);
    expect(render(p.remove)).toEqual(['lvremove --yes -- vgpool/thinvol-baysync-copy-2']);
  });

  it('thin without a verified base, or with its base gone: the whole volume is read, and the plan says why', () => {
    const owned = ownedSnapshots(thin, thinRef).owned;
    expect(planSnapshot(thinvol, owned, { lastGen: 2 }, '').notes).toEqual([
      'no verified base snapshot yet: this run reads the whole volume',
    ]);
    const gone = planSnapshot(thinvol, owned, { lastGen: 9, thinBase: 9 }, '');
    expect(gone.base).toBeUndefined();
    expect(gone.notes[0]).toMatch(/base snapshot thinvol-baysync-copy-9 is gone/);
  });

  it('an interrupted run resumes on its own snapshot while it is valid, and takes a new one when it is invalid or gone', () => {
    const snap = { ...lvs('lvs-classic-snapshot')[1]!, name: 'pool-baysync-copy-3' };
    const ref = { vg: 'vgpool', lv: 'pool' };
    const resumed = planSnapshot(pool, ownedSnapshots([snap], ref).owned, { lastGen: 3, inProgress: 3 }, '100%FREE');
    expect(resumed).toMatchObject({ gen: 3, remove: [] });
    expect(resumed.create).toBeUndefined();
    const invalid = { ...lvs('lvs-classic-invalid')[1]!, name: 'pool-baysync-copy-3' };
    const fresh = planSnapshot(pool, ownedSnapshots([invalid], ref).owned, { lastGen: 3, inProgress: 3 }, '100%FREE');
    expect(fresh.gen).toBe(4);
    expect(render(fresh.remove)).toEqual(['lvremove --yes -- vgpool/pool-baysync-copy-3']);
    expect(fresh.notes[0]).toMatch(/is invalid/);
    expect(planSnapshot(pool, [], { lastGen: 3, inProgress: 3 }, '100%FREE').notes[0]).toMatch(/is gone/);
  });
});

describe('afterRun: a snapshot left behind by baysync is always removed', () => {
  const ref = { vg: 'vgpool', lv: 'thinvol' };
  it('classic: removed whatever the outcome', () => {
    for (const verified of [true, false])
      expect(
        render(afterRun(ref, 'classic', 4, { lastGen: 4, inProgress: 4 }, { verified, targetWritten: true }).remove),
      ).toEqual([`lvremove --yes -- vgpool/${snapshotName('thinvol', 4)}`]);
  });

  it('thin, verified: the new snapshot becomes the base and the old base is removed', () => {
    const r = afterRun(
      ref,
      'thin',
      3,
      { lastGen: 3, thinBase: 1, inProgress: 3 },
      { verified: true, targetWritten: true },
    );
    expect(r.memory).toEqual({ lastGen: 3, thinBase: 3 });
    expect(render(r.remove)).toEqual(['lvremove --yes -- vgpool/thinvol-baysync-copy-1']);
  });

  it('thin, failed after writing: both removed, since the secondary no longer equals the base', () => {
    const r = afterRun(
      ref,
      'thin',
      3,
      { lastGen: 3, thinBase: 1, inProgress: 3 },
      { verified: false, targetWritten: true },
    );
    expect(r.memory).toEqual({ lastGen: 3 });
    expect(render(r.remove)).toEqual([
      'lvremove --yes -- vgpool/thinvol-baysync-copy-3',
      'lvremove --yes -- vgpool/thinvol-baysync-copy-1',
    ]);
    const before = afterRun(ref, 'thin', 3, { lastGen: 3, thinBase: 1 }, { verified: false, targetWritten: false });
    expect(before.memory).toEqual({ lastGen: 3, thinBase: 1 });
  });

  it('leftovers no run needs are removed; the base and an interrupted run’s snapshot are kept', () => {
    const owned = ownedSnapshots(thin, thinRef).owned;
    expect(render(strayOps(thinRef, owned, { lastGen: 2, thinBase: 1 }))).toEqual([
      'lvremove --yes -- vgpool/thinvol-baysync-copy-2',
    ]);
    expect(strayOps(thinRef, owned, { lastGen: 2, thinBase: 1, inProgress: 2 })).toEqual([]);
  });
});

describe('changedChunks', () => {
  it("maps thin_delta's byte ranges to the chunks holding them, each once, within the volume", () => {
    const mib = 1048576;
    const changed = [
      { offset: 0, length: 128 * 1024 },
      { offset: 161 * 65536, length: 33 * 65536 },
      { offset: 4 * mib - 1, length: 2 },
      { offset: 100 * mib, length: mib },
    ];
    expect(changedChunks(changed, 4 * mib, 8 * mib + 5)).toEqual([0, 1, 2]);
    expect(changedChunks([{ offset: 0, length: 0 }], mib, mib)).toEqual([]);
  });
});
