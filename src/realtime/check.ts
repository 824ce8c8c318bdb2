// The standby sync's part of `baysync check`: the recovery point's age (it may lag a few timer
// intervals: beyond 10 of them, at least 10 min, it warns; beyond 60, at least an hour, it is
// critical), failures in a row, a failed watcher. Contract: pure.
import type { RealtimeConfig } from '../config/schema.js';
import { type CheckPart, emptyCheck, perf } from '../jobs/check.js';
import type { RealtimeStatus } from './status.js';

export function realtimeCheck(cfg: RealtimeConfig, rt: RealtimeStatus): CheckPart {
  const part = emptyCheck();
  const warn = Math.max(600, 10 * cfg.interval_seconds);
  const crit = Math.max(3600, 60 * cfg.interval_seconds);
  const age = rt.recoveryPointAgeSeconds;
  part.perfs.push(perf('recovery_point_age', age, 's', { warn, crit, min: 0 }));
  if (rt.suspended) part.oks.push(`sync suspended (${rt.suspended})`);
  else if (age === undefined) part.problems.push({ code: 1, text: 'real-time sync: no successful run yet' });
  else if (age > crit) part.problems.push({ code: 2, text: `real-time copy ${age} s old` });
  else if (age > warn) part.problems.push({ code: 1, text: `real-time copy ${age} s old` });
  else part.oks.push(`real-time copy ${age} s old`);
  if (rt.consecutiveFailures >= 3)
    part.problems.push({
      code: 1,
      text: `${rt.consecutiveFailures} sync runs failed in a row: ${rt.lastRun?.error ?? ''}`,
    });
  if (rt.push?.watcher === 'failed')
    part.problems.push({ code: 1, text: `file watcher failed (${rt.push.watcherError}); timer fallback` });
  return part;
}
