// The rotation's part of `baysync check`: the age of the newest offline copy against the policy,
// the last rotation's outcome, the pool running without a half, an abort in progress; perfdata
// per set. Contract: pure, from the rotation's status.
import type { Config } from '../config/schema.js';
import { type CheckPart, emptyCheck, perf } from '../jobs/check.js';
import { problemHeadline } from './detect.js';
import type { RotationStatus } from './status.js';

export function rotationCheck(cfg: Config, st: RotationStatus, statusLine: string): CheckPart {
  const part = emptyCheck();
  if (!st.sets.length) return part;
  const newest = Math.min(...st.sets.map((s) => s.ageDays ?? Infinity));
  const warn = cfg.policy.warn_after_days;
  // Ages in seconds (the plugin guidelines' unit); the thresholds are the policy's days.
  const ages = st.sets.map((s) => s.ageSeconds).filter((a): a is number => a !== undefined);
  const day = 86_400;
  part.perfs.push(
    perf('newest_copy_age', ages.length ? Math.min(...ages) : undefined, 's', {
      warn: warn * day,
      crit: warn * 2 * day,
      min: 0,
    }),
  );
  part.perfs.push(...st.sets.map((s) => perf(`set_${s.name}_copy_age`, s.ageSeconds, 's', { min: 0 })));
  const last = st.history[0];
  if (last && last.outcome !== 'success')
    part.problems.push({
      code: last.outcome === 'inconclusive' ? 1 : 2,
      text: `last rotation of set ${last.set} ${last.outcome}: ${last.summary}`,
    });
  if (!Number.isFinite(newest)) part.problems.push({ code: 1, text: 'no successful rotation recorded yet' });
  else if (newest > warn * 2) part.problems.push({ code: 2, text: `no offline copy for ${newest} days` });
  else if (newest > warn) part.problems.push({ code: 1, text: `rotation overdue: newest copy ${newest} days old` });
  for (const p of st.poolProblems ?? []) part.problems.push({ code: 2, text: problemHeadline(p) });
  if (st.rotation?.phase === 'aborting')
    part.problems.push({ code: 1, text: `rotation of set ${st.rotation.set} aborting` });
  const proved = last?.proved ? `; set ${last.set} ${last.proved}` : '';
  part.oks.push(`newest copy ${newest} days old${proved}${st.rotation ? `; ${statusLine}` : ''}`);
  return part;
}
