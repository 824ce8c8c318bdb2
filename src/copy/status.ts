// The snapshot copy's part of `baysync status` and of `baysync check` (issue 13): the volume and
// the secondary, the last run, how old the secondary's last verified copy is, and a tripped
// fill guard. check: no verified copy yet, or one older than copy.max_age_days, warns; twice that
// age, or a tripped guard (no run starts until the operator clears it), is critical.
// Contract: pure (the time comes in).
import type { CopyConfig } from '../config/copy.js';
import { type CheckPart, emptyCheck, perf } from '../jobs/check.js';
import type { CopyLastRun, CopyRecord } from './record.js';

export interface CopyStatus {
  volume?: string;
  receiver: string;
  lastRun?: CopyLastRun;
  lastVerifiedAt?: string;
  /** Age of the secondary's last verified copy. */
  verifiedAgeSeconds?: number;
  guard?: { reason: string; at: string };
  /** Thin volumes: the generation of the snapshot kept as the next run's base. */
  thinBase?: number;
}

export function copyStatus(c: CopyConfig, r: CopyRecord, now: number): CopyStatus {
  return {
    ...(c.volume ? { volume: c.volume } : {}),
    receiver: `${c.transport}://${c.receiver.user}@${c.receiver.host}`,
    ...(r.last ? { lastRun: r.last } : {}),
    ...(r.lastVerifiedAt
      ? {
          lastVerifiedAt: r.lastVerifiedAt,
          verifiedAgeSeconds: Math.max(0, Math.round((now - Date.parse(r.lastVerifiedAt)) / 1000)),
        }
      : {}),
    ...(r.guard ? { guard: r.guard } : {}),
    ...(r.thinBase !== undefined ? { thinBase: r.thinBase } : {}),
  };
}

export function copyCheck(c: CopyConfig, st: CopyStatus): CheckPart {
  const part = emptyCheck();
  const warn = Math.round(c.max_age_days * 86400);
  const crit = 2 * warn;
  const age = st.verifiedAgeSeconds;
  part.perfs.push(perf('copy_age', age, 's', { warn, crit, min: 0 }));
  const days = (s: number): string => `${(s / 86400).toFixed(1)} days`;
  if (st.guard)
    part.problems.push({
      code: 2,
      text: `snapshot copy stopped by its fill guard (${st.guard.reason}); \`baysync copy run --clear-guard\` once dealt with`,
    });
  if (age === undefined) part.problems.push({ code: 1, text: 'snapshot copy: no verified copy on the secondary yet' });
  else if (age > crit) part.problems.push({ code: 2, text: `the secondary's copy is ${days(age)} old` });
  else if (age > warn) part.problems.push({ code: 1, text: `the secondary's copy is ${days(age)} old` });
  else part.oks.push(`the secondary's copy is ${days(age)} old`);
  if (st.lastRun && !st.lastRun.ok && !st.guard)
    part.problems.push({ code: 1, text: `the last snapshot copy failed: ${st.lastRun.summary}` });
  return part;
}
