// The rotation's part of `baysync status`: the running rotation with its percent and ETA, the
// plan, how old each set's offline copy is (last success, age in days, overdue), the waiting
// sets, the pool's problems and the recent history. Contract: pure (the time comes in).
import type { Config } from '../config/schema.js';
import { etaSeconds } from '../jobs/progress.js';
import type { HistoryEntry, PersistedState, Plan, RotationState } from './types.js';

const day = 86_400_000;

export interface SetStatus {
  name: string;
  lastSuccess?: string;
  lastOutcome?: HistoryEntry['outcome'];
  /** The last verification's proved share. */
  lastProved?: string;
  ageDays?: number;
  /** The same age in whole seconds (monitoring perfdata). */
  ageSeconds?: number;
  overdue: boolean;
}

export function setStatuses(cfg: Config, state: PersistedState, now: number): SetStatus[] {
  return cfg.sets.map((s) => {
    const last = state.lastBySet[s.name];
    const okEntry =
      state.history.find((h) => h.set === s.name && h.outcome === 'success') ??
      (last?.outcome === 'success' ? last : undefined);
    const ageDays = okEntry ? (now - Date.parse(okEntry.endedAt)) / day : undefined;
    return {
      name: s.name,
      lastSuccess: okEntry?.endedAt,
      lastOutcome: last?.outcome,
      lastProved: last?.proved,
      ageDays: ageDays === undefined ? undefined : Math.round(ageDays * 10) / 10,
      ageSeconds: okEntry ? Math.round((now - Date.parse(okEntry.endedAt)) / 1000) : undefined,
      // Each set comes round once every rotation_days x (number of sets); warn_after_days is the grace for one rotation.
      overdue:
        ageDays === undefined ||
        ageDays > cfg.policy.warn_after_days + cfg.policy.rotation_days * (cfg.sets.length - 1),
    };
  });
}

/** Days since the newest successful rotation of any set (the freshest off-site copy's age). */
export function newestCopyAgeDays(sets: SetStatus[]): number | undefined {
  const ages = sets.map((s) => s.ageDays).filter((a): a is number => a !== undefined);
  return ages.length ? Math.min(...ages) : undefined;
}

export interface RotationStatus {
  rotation: (RotationState & { percent?: number; etaSeconds?: number }) | null;
  plan?: Plan;
  sets: SetStatus[];
  /** Age of the oldest copy away from the server: the least recently rotated set. */
  oldestCopyAgeDays?: number;
  waiting: string[];
  /** Set mirrors the pool (top mirror) runs without, with what to do. */
  poolProblems: string[];
  history: HistoryEntry[];
}

export function rotationStatus(
  cfg: Config,
  state: PersistedState,
  now: number,
  plan?: Plan,
  poolProblems: string[] = [],
): RotationStatus {
  const sets = setStatuses(cfg, state, now);
  const ages = sets.map((s) => s.ageDays).filter((a): a is number => a !== undefined);
  const r = state.rotation;
  let rotation: RotationStatus['rotation'] = null;
  if (r) {
    const pct = r.progress && r.progress.total > 0 ? (100 * r.progress.done) / r.progress.total : undefined;
    rotation = {
      ...r,
      percent: pct === undefined ? undefined : Math.round(pct * 10) / 10,
      etaSeconds: r.progress ? etaSeconds(r.progress) : undefined,
    };
  }
  return {
    rotation,
    plan,
    sets,
    oldestCopyAgeDays: ages.length === cfg.sets.length && ages.length ? Math.max(...ages) : undefined,
    waiting: state.waiting,
    poolProblems,
    history: state.history.slice(0, 10),
  };
}
