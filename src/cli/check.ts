// `baysync check`: a monitoring plugin in the Nagios convention. Exit 0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN; one line of text, then `|` and perfdata. Each job gives its part
// (rotation/check.ts, realtime/check.ts, failover/check.ts, copy/status.ts); this adds the mail spool and the
// daemon being down. Contract: pure decision from the daemon's status and the config's policy.
import type { Config } from '../config/schema.js';
import { copyCheck } from '../copy/status.js';
import type { StatusData } from '../daemon/status.js';
import { failoverCheck } from '../failover/check.js';
import { combineChecks, emptyCheck, perf } from '../jobs/check.js';
import { realtimeCheck } from '../realtime/check.js';
import { rotationCheck } from '../rotation/check.js';

export interface CheckResult {
  code: 0 | 1 | 2 | 3;
  line: string;
}

export function evaluateCheck(cfg: Config, status: StatusData | undefined, daemonError?: string): CheckResult {
  if (!status) return { code: 2, line: `BAYSYNC CRITICAL - daemon down: ${daemonError ?? 'no answer'}` };
  const mail = emptyCheck();
  mail.perfs.push(perf('mail_spool', status.mailPending, '', { min: 0 }));
  if (status.mailPending > 0)
    mail.problems.push({
      code: 1,
      text: `${status.mailPending} mail(s) not delivered yet${status.mailLastError ? ` (${status.mailLastError.split('\n')[0]})` : ''}`,
    });
  const rotation = rotationCheck(cfg, status, status.statusLine);
  const realtime = status.realtime && cfg.realtime ? realtimeCheck(cfg.realtime, status.realtime) : emptyCheck();
  const failover = status.failover ? failoverCheck(status.failover) : emptyCheck();
  const copy = status.copy && cfg.copy ? copyCheck(cfg.copy, status.copy) : emptyCheck();
  // Perfdata in the order monitoring graphs already use: copies, mail, recovery point, then the
  // snapshot copy's age.
  const perfs = [...rotation.perfs, ...mail.perfs, ...realtime.perfs, ...copy.perfs];
  const parts = [rotation, realtime, failover, copy, mail].map((p) => ({ ...p, perfs: [] as string[] }));
  return combineChecks([...parts, { problems: [], oks: [], perfs }]);
}
