// The status model shared by the daemon (`status` request), the CLI renderer and the
// monitoring check. Contract: pure functions of the persisted state, the config, the current
// plan and the time; `baysync status --json` prints exactly this object.
import type { Config } from '../config/schema.js';
import type { HistoryEntry, PersistedState, Plan, RotationState } from '../rotation/types.js';
import { etaSeconds } from '../rotation/engine.js';
import type { RealtimeState, SyncRun } from '../realtime/state.js';
import type { PusherStatus } from '../realtime/pusher.js';
import type { FailoverStatus } from '../failover/monitor.js';

export interface SetStatus {
  name: string;
  lastSuccess?: string;
  lastOutcome?: HistoryEntry['outcome'];
  ageDays?: number;
  overdue: boolean;
}

export interface StatusData {
  version: string;
  pid: number;
  startedAt: string;
  statusLine: string;
  rotation: (RotationState & { percent?: number; etaSeconds?: number }) | null;
  plan?: Plan;
  sets: SetStatus[];
  /** Age of the oldest copy away from the server: the least recently rotated set. */
  oldestCopyAgeDays?: number;
  waiting: string[];
  /** Set mirrors the pool (top mirror) runs without, with what to do. */
  poolProblems: string[];
  mailPending: number;
  history: HistoryEntry[];
  realtime?: RealtimeStatus;
  failover?: FailoverStatus;
}

export interface RealtimeStatus {
  mode: 'pull' | 'push';
  source: string;
  destination: string;
  remote: string;
  lastSuccessAt?: string;
  /** The copy holds at least the source as of this time. */
  copyAsOf?: string;
  /** Age of the recovery point: how much recent work a takeover now would lose at most. */
  recoveryPointAgeSeconds?: number;
  consecutiveFailures: number;
  bytesMovedTotal: number;
  lastRun?: SyncRun;
  runningPid?: number;
  suspended?: string;
  push?: PusherStatus;
}

export function realtimeStatus(cfg: Config, st: RealtimeState, now: number, extra: { runningPid?: number; suspended?: string; push?: PusherStatus }): RealtimeStatus | undefined {
  const rt = cfg.realtime;
  if (!rt) return undefined;
  const push = extra.push;
  let copyAsOf = st.lastSuccessStartedAt;
  const lastOk = st.runs[0]?.ok === true;
  if (push?.watcher === 'watching' && lastOk) copyAsOf = push.oldestPendingAt ? new Date(Math.min(Date.parse(push.oldestPendingAt), now)).toISOString() : new Date(now).toISOString();
  return {
    mode: rt.mode,
    source: rt.source,
    destination: rt.destination,
    remote: `${rt.remote.transport}://${rt.remote.user}@${rt.remote.host}`,
    lastSuccessAt: st.lastSuccessAt,
    copyAsOf,
    recoveryPointAgeSeconds: copyAsOf ? Math.max(0, Math.round((now - Date.parse(copyAsOf)) / 1000)) : undefined,
    consecutiveFailures: st.consecutiveFailures,
    bytesMovedTotal: st.bytesMovedTotal,
    lastRun: st.runs[0],
    ...extra,
  };
}

const day = 86_400_000;

export function setStatuses(cfg: Config, state: PersistedState, now: number): SetStatus[] {
  return cfg.sets.map((s) => {
    const last = state.lastBySet[s.name];
    const okEntry = state.history.find((h) => h.set === s.name && h.outcome === 'success') ?? (last?.outcome === 'success' ? last : undefined);
    const ageDays = okEntry ? (now - Date.parse(okEntry.endedAt)) / day : undefined;
    return {
      name: s.name,
      lastSuccess: okEntry?.endedAt,
      lastOutcome: last?.outcome,
      ageDays: ageDays === undefined ? undefined : Math.round(ageDays * 10) / 10,
      // Each set comes round once every rotation_days x (number of sets); warn_after_days is the grace for one rotation.
      overdue: ageDays === undefined || ageDays > cfg.policy.warn_after_days + cfg.policy.rotation_days * (cfg.sets.length - 1),
    };
  });
}

/** Days since the newest successful rotation of any set (the freshest off-site copy's age). */
export function newestCopyAgeDays(sets: SetStatus[]): number | undefined {
  const ages = sets.map((s) => s.ageDays).filter((a): a is number => a !== undefined);
  return ages.length ? Math.min(...ages) : undefined;
}

export function buildStatus(args: {
  cfg: Config;
  state: PersistedState;
  plan?: Plan;
  now: number;
  pid: number;
  startedAt: string;
  statusLine: string;
  mailPending: number;
  version: string;
  poolProblems?: string[];
}): StatusData {
  const sets = setStatuses(args.cfg, args.state, args.now);
  const ages = sets.map((s) => s.ageDays).filter((a): a is number => a !== undefined);
  const r = args.state.rotation;
  let rotation: StatusData['rotation'] = null;
  if (r) {
    const pct = r.progress && r.progress.total > 0 ? (100 * r.progress.done) / r.progress.total : undefined;
    rotation = { ...r, percent: pct === undefined ? undefined : Math.round(pct * 10) / 10, etaSeconds: r.progress ? etaSeconds(r.progress) : undefined };
  }
  return {
    version: args.version,
    pid: args.pid,
    startedAt: args.startedAt,
    statusLine: args.statusLine,
    rotation,
    plan: args.plan,
    sets,
    oldestCopyAgeDays: ages.length === args.cfg.sets.length && ages.length ? Math.max(...ages) : undefined,
    waiting: args.state.waiting,
    poolProblems: args.poolProblems ?? [],
    mailPending: args.mailPending,
    history: args.state.history.slice(0, 10),
  };
}
