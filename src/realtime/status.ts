// The standby sync's part of `baysync status`: the recovery point (how old the copy is), the last
// run, failures in a row, and the push watcher. Contract: pure (the time comes in).
import type { Config } from '../config/schema.js';
import type { PusherStatus } from './pusher.js';
import type { RealtimeState, SyncRun } from './state.js';

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

export function realtimeStatus(
  cfg: Config,
  st: RealtimeState,
  now: number,
  extra: { runningPid?: number; suspended?: string; push?: PusherStatus },
): RealtimeStatus | undefined {
  const rt = cfg.realtime;
  if (!rt) return undefined;
  const push = extra.push;
  let copyAsOf = st.lastSuccessStartedAt;
  const lastOk = st.runs[0]?.ok === true;
  if (push?.watcher === 'watching' && lastOk)
    copyAsOf = push.oldestPendingAt
      ? new Date(Math.min(Date.parse(push.oldestPendingAt), now)).toISOString()
      : new Date(now).toISOString();
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
