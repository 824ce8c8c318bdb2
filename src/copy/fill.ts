// The snapshot-fill decision of the copy (issue 13). A classic LVM snapshot whose copy-on-write
// space fills up is invalidated by the kernel, and a copy read from it is garbage; a thin
// snapshot shares its pool, which must not run full either. The copy watches the snapshot's
// fill (lvs data_percent) for its whole length and aborts before that point, at a configured
// threshold, or at once when the snapshot is already invalid or gone.
// Contract: pure; given the last reading and the threshold, says go on or abort with the reason
// the mail gives. A reading that cannot be had is never taken for a good one.
import type { LvReport } from '../system/parsers/lvs.js';

export interface FillReading {
  /** lvs lv_attr of the snapshot (its fifth character 'I' marks an invalid snapshot). */
  attr?: string;
  /** lvs data_percent of the snapshot (classic) or of its thin pool, 0 to 100. */
  dataPercent?: number;
  /** The reading failed: the snapshot is gone, or lvs did not answer. */
  missing?: string;
}

export type FillDecision = { go: true; percent: number } | { go: false; reason: string };

export function fillDecision(r: FillReading, abortPercent: number, what = 'the snapshot'): FillDecision {
  if (r.missing !== undefined) return { go: false, reason: `${what} could not be read (${r.missing})` };
  if (r.attr !== undefined && r.attr[4] === 'I')
    return { go: false, reason: `${what} was invalidated by the kernel (its copy-on-write space ran full)` };
  if (r.dataPercent === undefined || !Number.isFinite(r.dataPercent))
    return { go: false, reason: `${what} reports no fill level` };
  if (r.dataPercent >= abortPercent)
    return {
      go: false,
      reason: `${what} is ${r.dataPercent.toFixed(1)}% full, at or above the abort threshold of ${abortPercent}% (copy.snapshot_abort_percent); give it more space (copy.snapshot_size) or copy when less is written`,
    };
  return { go: true, percent: r.dataPercent };
}

/** The highest fill seen, for the report. */
export function maxFill(prev: number | undefined, d: FillDecision): number | undefined {
  if (!d.go) return prev;
  return prev === undefined ? d.percent : Math.max(prev, d.percent);
}

/** What to watch in an lvs report of the snapshot's volume group: a classic snapshot's own
 *  copy-on-write space; for a thin snapshot, its pool's data and metadata, whichever is fuller
 *  (a full pool stops the live volume's writes too). */
export function readFill(
  lvs: LvReport,
  vg: string,
  snapshot: string,
  kind: 'classic' | 'thin',
): { reading: FillReading; what: string } {
  const snap = lvs.lvs.find((l) => l.vg === vg && l.name === snapshot);
  const gone = (what: string): { reading: FillReading; what: string } => ({
    reading: { missing: lvs.errors.join('; ') || `${what} is not in the lvs report` },
    what,
  });
  if (!snap) return gone(`the snapshot ${vg}/${snapshot}`);
  if (kind === 'classic')
    return { reading: { attr: snap.attr, ...opt(snap.dataPercent) }, what: `the snapshot ${vg}/${snapshot}` };
  const pool = lvs.lvs.find((l) => l.vg === vg && l.name === snap.pool);
  if (!pool) return gone(`the thin pool of ${vg}/${snapshot}`);
  const fullest = Math.max(pool.dataPercent ?? Number.NaN, pool.metadataPercent ?? 0);
  return { reading: { attr: snap.attr, ...opt(fullest) }, what: `the thin pool ${vg}/${pool.name}` };
}

const opt = (p: number | undefined): { dataPercent?: number } => (p === undefined ? {} : { dataPercent: p });
