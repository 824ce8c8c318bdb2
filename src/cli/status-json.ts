// `baysync status --json`: the daemon's status with every documented field present, `null`
// when it has no value (a set that never rotated, no sync yet, no failover on this host), so
// that a script reads the same keys on every host. Contract: pure; the daemon's internal data
// (which leaves such fields out) is not changed.
import type { StatusData } from '../daemon/status.js';

const nullable = {
  top: ['plan', 'oldestCopyAgeDays', 'realtime', 'failover'],
  rotation: ['percent', 'etaSeconds'],
  set: ['lastSuccess', 'lastOutcome', 'lastProved', 'ageDays', 'ageSeconds'],
  realtime: ['lastSuccessAt', 'copyAsOf', 'recoveryPointAgeSeconds', 'lastRun', 'runningPid', 'suspended', 'push'],
  failover: ['takeover'],
} as const;

type Obj = Record<string, unknown>;
const fill = (o: Obj, keys: readonly string[]): Obj => {
  const out: Obj = { ...o };
  for (const k of keys) if (out[k] === undefined) out[k] = null;
  return out;
};

export function statusJson(s: StatusData): Obj {
  const out = fill(s as unknown as Obj, nullable.top);
  if (out.rotation) out.rotation = fill(out.rotation as Obj, nullable.rotation);
  out.sets = (s.sets ?? []).map((x) => fill(x as unknown as Obj, nullable.set));
  if (out.realtime) out.realtime = fill(out.realtime as Obj, nullable.realtime);
  if (out.failover) out.failover = fill(out.failover as Obj, nullable.failover);
  return out;
}
