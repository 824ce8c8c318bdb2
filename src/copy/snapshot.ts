// Which snapshots the copy creates and removes (issue 13). baysync's snapshots of a volume are
// named `<lv>-baysync-copy-<generation>` and tagged OWN_TAG; a snapshot is baysync's only when
// its tag, its volume group, its origin and its name all say so. Anything else, even tagged, is
// never removed: it is reported. A classic snapshot lives for one run; a thin one is kept after a
// verified copy as the base of the next run's thin_delta, and only that one.
// Contract: pure; the operations are data (system/lvm.ts), run by the job's steps.
import { type LvRef, lvmOps, OWN_TAG } from '../system/lvm.js';
import type { Op } from '../system/op.js';
import { type Extent, isInvalid, isThin, type Lv } from '../system/parsers/lvs.js';

export const snapshotName = (lv: string, gen: number): string => `${lv}-baysync-copy-${gen}`;

export interface Owned {
  lv: Lv;
  gen: number;
}

export function ownedSnapshots(lvs: Lv[], origin: LvRef): { owned: Owned[]; strangers: Lv[] } {
  const owned: Owned[] = [];
  const strangers: Lv[] = [];
  const prefix = `${origin.lv}-baysync-copy-`;
  for (const lv of lvs) {
    if (!lv.tags.includes(OWN_TAG)) continue;
    const gen = lv.name.startsWith(prefix) ? lv.name.slice(prefix.length) : '';
    if (lv.vg === origin.vg && lv.origin === origin.lv && /^[1-9]\d{0,9}$/.test(gen))
      owned.push({ lv, gen: Number(gen) });
    else strangers.push(lv);
  }
  return { owned: owned.sort((a, b) => a.gen - b.gen), strangers };
}

/** What the copy remembers between runs (the job's state). */
export interface SnapshotMemory {
  /** The highest generation used so far. */
  lastGen: number;
  /** Thin volumes: the snapshot the secondary's copy equals (set only after a verified copy). */
  thinBase?: number;
  /** A run that did not end: its snapshot, reused when it still exists and is valid. */
  inProgress?: number;
}

export interface SnapshotPlan {
  kind: 'classic' | 'thin';
  /** The snapshot this run reads. */
  gen: number;
  name: string;
  /** Absent when the interrupted run's snapshot is reused. */
  create?: Op;
  /** baysync's other snapshots of the volume, removed before the new one is made. */
  remove: Op[];
  /** Thin: the base for thin_delta (the secondary's copy equals it). */
  base?: Owned;
  /** The interrupted run's snapshot, reused (it exists: thin_delta can name it). */
  current?: Owned;
  /** Why the run reads the whole volume instead of thin_delta's ranges, or why it did not reuse. */
  notes: string[];
}

export function planSnapshot(origin: Lv, owned: Owned[], mem: SnapshotMemory, classicSize: string): SnapshotPlan {
  const ref: LvRef = { vg: origin.vg, lv: origin.name };
  const kind = isThin(origin) ? 'thin' : 'classic';
  const notes: string[] = [];
  const find = (g: number | undefined): Owned | undefined => owned.find((o) => o.gen === g);
  const resumed = find(mem.inProgress);
  const reuse = resumed && !isInvalid(resumed.lv) ? resumed : undefined;
  if (resumed && !reuse) notes.push(`the interrupted run's snapshot ${resumed.lv.name} is invalid; a new one is taken`);
  if (mem.inProgress !== undefined && !resumed)
    notes.push(`the interrupted run's snapshot ${snapshotName(ref.lv, mem.inProgress)} is gone; a new one is taken`);
  const base = kind === 'thin' ? find(mem.thinBase) : undefined;
  if (kind === 'thin' && mem.thinBase !== undefined && !base)
    notes.push(`the base snapshot ${snapshotName(ref.lv, mem.thinBase)} is gone: this run reads the whole volume`);
  if (kind === 'thin' && mem.thinBase === undefined)
    notes.push('no verified base snapshot yet: this run reads the whole volume');
  const gen = reuse?.gen ?? Math.max(mem.lastGen, ...owned.map((o) => o.gen)) + 1;
  const name = snapshotName(ref.lv, gen);
  const keep = new Set([reuse?.gen, base?.gen]);
  return {
    kind,
    gen,
    name,
    ...(reuse
      ? { current: reuse }
      : {
          create: kind === 'thin' ? lvmOps.snapshotThin(ref, name) : lvmOps.snapshotClassic(ref, name, classicSize),
        }),
    remove: owned.filter((o) => !keep.has(o.gen)).map((o) => lvmOps.remove(ref.vg, o.lv.name)),
    ...(base ? { base } : {}),
    notes,
  };
}

/**
 * After the run: a classic snapshot is removed whatever the outcome; a thin one becomes the next
 * base after a verified copy (the old base is removed), and is removed otherwise, and so is the
 * old base once the secondary was written to: it no longer equals the secondary's copy.
 */
export function afterRun(
  origin: LvRef,
  kind: 'classic' | 'thin',
  gen: number,
  mem: SnapshotMemory,
  outcome: { verified: boolean; targetWritten: boolean },
  /** Whether the snapshot of that generation exists (only those are removed). */
  exists: (gen: number) => boolean = () => true,
): { remove: Op[]; memory: SnapshotMemory } {
  const rm = (gens: number[]): Op[] =>
    gens.filter(exists).map((g) => lvmOps.remove(origin.vg, snapshotName(origin.lv, g)));
  const { inProgress: _done, thinBase, ...rest } = mem;
  if (kind === 'classic') return { remove: rm([gen]), memory: rest };
  if (outcome.verified)
    return {
      remove: rm(thinBase !== undefined && thinBase !== gen ? [thinBase] : []),
      memory: { ...rest, thinBase: gen },
    };
  const dropBase = outcome.targetWritten && thinBase !== undefined;
  return {
    remove: rm(dropBase ? [gen, thinBase] : [gen]),
    memory: dropBase || thinBase === undefined ? rest : { ...rest, thinBase },
  };
}

/** baysync's snapshots of the volume that no run needs (a crash's leftovers when no run resumes). */
export function strayOps(origin: LvRef, owned: Owned[], mem: SnapshotMemory): Op[] {
  const keep = new Set([mem.thinBase, mem.inProgress]);
  return owned.filter((o) => !keep.has(o.gen)).map((o) => lvmOps.remove(origin.vg, o.lv.name));
}

/** The chunks that hold any byte of thin_delta's changed ranges, in order, each once. */
export function changedChunks(changed: Extent[], chunkBytes: number, volumeBytes: number): number[] {
  const out: number[] = [];
  const last = Math.ceil(volumeBytes / chunkBytes) - 1;
  for (const e of [...changed].sort((a, b) => a.offset - b.offset)) {
    if (e.length <= 0) continue;
    const first = Math.floor(e.offset / chunkBytes);
    const end = Math.min(last, Math.floor((e.offset + e.length - 1) / chunkBytes));
    for (let i = Math.max(first, (out.at(-1) ?? -1) + 1); i <= end; i++) out.push(i);
  }
  return out;
}
