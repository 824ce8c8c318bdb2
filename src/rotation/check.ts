// The rotation's part of `baysync check`: the age of the newest offline copy against the policy,
// the last rotation's outcome, the pool running without a half, an abort in progress; perfdata
// per set. Contract: pure, from the rotation's status.
import type { Config } from '../config/schema.js';
import { type CheckPart, emptyCheck } from '../jobs/check.js';
import { problemHeadline } from './detect.js';
import type { RotationStatus } from './status.js';

export function rotationCheck(cfg: Config, st: RotationStatus, statusLine: string): CheckPart {
  const part = emptyCheck();
  if (!st.sets.length) return part;
  const newest = Math.min(...st.sets.map((s) => s.ageDays ?? Infinity));
  const warn = cfg.policy.warn_after_days;
  part.perfs.push(`newest_copy_age_days=${Number.isFinite(newest) ? newest : ''};${warn};${warn * 2};0`);
  part.perfs.push(...st.sets.map((s) => `set_${s.name}_age_days=${s.ageDays ?? ''};;;0`));
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
