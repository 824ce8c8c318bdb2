// The failover monitor's part of `baysync check`: a takeover made is CRITICAL (this standby
// serves the main server's address), a path down is a WARNING. Contract: pure.
import { type CheckPart, emptyCheck } from '../jobs/check.js';
import type { FailoverStatus } from './monitor.js';

export function failoverCheck(fo: FailoverStatus): CheckPart {
  const part = emptyCheck();
  if (fo.phase !== 'monitoring')
    part.problems.push({ code: 2, text: `failover ${fo.phase}: this standby serves ${fo.serviceAddress}` });
  else if (fo.verdict !== 'healthy' && fo.verdict !== 'unknown')
    part.problems.push({ code: 1, text: `failover monitor: ${fo.verdict}` });
  else part.oks.push(`main server ${fo.verdict}`);
  return part;
}
