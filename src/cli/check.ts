// `baysync check`: a monitoring plugin in the Nagios convention. Exit 0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN; one line of text, then `|` and perfdata. Contract: pure decision
// from the daemon's status (or its absence) and the config's policy.
import type { Config } from '../config/schema.js';
import type { StatusData } from '../daemon/status.js';
import { problemHeadline } from '../rotation/detect.js';

export interface CheckResult {
  code: 0 | 1 | 2 | 3;
  line: string;
}

const label = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export function evaluateCheck(cfg: Config, status: StatusData | undefined, daemonError?: string): CheckResult {
  if (!status) return { code: 2, line: `BAYSYNC CRITICAL - daemon down: ${daemonError ?? 'no answer'}` };
  const rotating = status.sets.length > 0;
  const newest = Math.min(...status.sets.map((s) => s.ageDays ?? Infinity));
  const perfs = [
    ...(rotating
      ? [
          `newest_copy_age_days=${Number.isFinite(newest) ? newest : ''};${cfg.policy.warn_after_days};${cfg.policy.warn_after_days * 2};0`,
        ]
      : []),
    ...status.sets.map((s) => `set_${s.name}_age_days=${s.ageDays ?? ''};;;0`),
    `mail_spool=${status.mailPending};;;0`,
  ];
  const problems: Array<{ code: 1 | 2; text: string }> = [];
  const oks: string[] = [];
  if (rotating) {
    const last = status.history[0];
    if (last && last.outcome !== 'success')
      problems.push({ code: 2, text: `last rotation of set ${last.set} ${last.outcome}: ${last.summary}` });
    if (!Number.isFinite(newest)) problems.push({ code: 1, text: 'no successful rotation recorded yet' });
    else if (newest > cfg.policy.warn_after_days * 2)
      problems.push({ code: 2, text: `no offline copy for ${newest} days` });
    else if (newest > cfg.policy.warn_after_days)
      problems.push({ code: 1, text: `rotation overdue: newest copy ${newest} days old` });
    for (const p of status.poolProblems ?? []) problems.push({ code: 2, text: problemHeadline(p) });
    if (status.rotation?.phase === 'aborting')
      problems.push({ code: 1, text: `rotation of set ${status.rotation.set} aborting` });
    oks.push(`newest copy ${newest} days old${status.rotation ? `; ${status.statusLine}` : ''}`);
  }
  const rt = status.realtime;
  if (rt && cfg.realtime) {
    // The recovery point may lag a few timer intervals; beyond 10 (at least 10 min) it warns,
    // beyond 60 (at least an hour) it is critical.
    const warn = Math.max(600, 10 * cfg.realtime.interval_seconds);
    const crit = Math.max(3600, 60 * cfg.realtime.interval_seconds);
    const age = rt.recoveryPointAgeSeconds;
    perfs.push(`recovery_point_age_s=${age ?? ''};${warn};${crit};0`);
    if (rt.suspended) oks.push(`sync suspended (${rt.suspended})`);
    else if (age === undefined) problems.push({ code: 1, text: 'real-time sync: no successful run yet' });
    else if (age > crit) problems.push({ code: 2, text: `real-time copy ${age} s old` });
    else if (age > warn) problems.push({ code: 1, text: `real-time copy ${age} s old` });
    else oks.push(`real-time copy ${age} s old`);
    if (rt.consecutiveFailures >= 3)
      problems.push({
        code: 1,
        text: `${rt.consecutiveFailures} sync runs failed in a row: ${rt.lastRun?.error ?? ''}`,
      });
    if (rt.push?.watcher === 'failed')
      problems.push({ code: 1, text: `file watcher failed (${rt.push.watcherError}); timer fallback` });
  }
  const fo = status.failover;
  if (fo) {
    if (fo.phase !== 'monitoring')
      problems.push({ code: 2, text: `failover ${fo.phase}: this standby serves ${fo.serviceAddress}` });
    else if (fo.verdict !== 'healthy' && fo.verdict !== 'unknown')
      problems.push({ code: 1, text: `failover monitor: ${fo.verdict}` });
    else oks.push(`main server ${fo.verdict}`);
  }
  if (status.mailPending > 0) problems.push({ code: 1, text: `${status.mailPending} mail(s) not delivered yet` });
  const perf = perfs.join(' ');
  const code = Math.max(0, ...problems.map((p) => p.code)) as 0 | 1 | 2;
  const text = problems.length ? problems.map((p) => p.text).join('; ') : oks.join('; ');
  return { code, line: `BAYSYNC ${label[code]} - ${text} | ${perf}` };
}
