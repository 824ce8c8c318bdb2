// Human rendering of the daemon's status and plan (the CLI's `status` and `plan`).
// Contract: pure functions from the JSON data the daemon returns to text; `--json` prints the
// data itself instead, so both views always show the same facts.
import type { StatusData } from '../daemon/status.js';
import { formatBytes, formatEta } from '../jobs/progress.js';
import type { RunOutcome } from '../realtime/run.js';
import type { Plan, PlannedStep, RotationState } from '../rotation/types.js';
import { renderOp } from '../system/op.js';

export function progressBar(percent: number, width = 30): string {
  const p = Math.max(0, Math.min(100, percent));
  const full = Math.round((p / 100) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${p.toFixed(1)}%`;
}

export function renderStatus(s: StatusData): string {
  const out: string[] = [];
  out.push(`baysync ${s.version} (pid ${s.pid}, up since ${s.startedAt.slice(0, 19).replace('T', ' ')})`);
  out.push(`status: ${s.statusLine}`);
  const r = s.rotation;
  const hasRotation = s.sets.length > 0;
  if (!hasRotation) {
    // A standby with only [realtime]/[failover]: no rotation section.
  } else if (r) {
    out.push(
      '',
      `rotation ${r.id}: set ${r.set}, phase ${r.phase}, started ${r.startedAt.slice(0, 19).replace('T', ' ')}`,
    );
    if (r.phase === 'syncing' && r.percent !== undefined) {
      const speed = r.progress?.speedKps ? `  ${(r.progress.speedKps / 1024).toFixed(1)} MiB/s` : '';
      out.push(
        `  ${progressBar(r.percent)}${speed}${r.etaSeconds !== undefined ? `  ETA ${formatEta(r.etaSeconds)}` : ''}`,
      );
    }
    if (r.joinMode) out.push(`  join: ${r.joinMode}, resync ${formatBytes(r.resyncBytes)}`);
    if (r.abortReason) out.push(`  aborting: ${r.abortReason}`);
    for (const w of r.warnings) out.push(`  warning: ${w}`);
  } else {
    out.push('', 'no rotation running');
  }
  if (s.waiting.length) out.push(`waiting sets: ${s.waiting.join(', ')}`);
  for (const p of s.poolProblems ?? []) out.push(`POOL: ${p}`);
  if (hasRotation) {
    out.push('', 'sets:');
    for (const set of s.sets) {
      out.push(
        `  ${set.name.padEnd(8)} last good copy: ${set.lastSuccess ? `${set.lastSuccess.slice(0, 16).replace('T', ' ')} (${set.ageDays} days)` : 'never'}${set.lastOutcome && set.lastOutcome !== 'success' ? `  last rotation ${set.lastOutcome}` : ''}${set.overdue ? '  OVERDUE' : ''}`,
      );
      if (set.lastProved) out.push(`           verified: ${set.lastProved}`);
    }
    out.push(
      `oldest copy away from the server: ${s.oldestCopyAgeDays !== undefined ? `${s.oldestCopyAgeDays} days` : 'unknown (a set has never rotated)'}`,
    );
  }
  if (s.realtime) out.push('', ...renderRealtime(s.realtime));
  if (s.failover) out.push('', ...renderFailover(s.failover));
  if (s.copy) out.push('', ...renderCopy(s.copy));
  if (s.mailPending)
    out.push(
      `mail spool: ${s.mailPending} message(s) waiting for the transport${s.mailLastError ? ` (last error: ${s.mailLastError})` : ''}`,
    );
  if (s.history.length) {
    out.push('', 'recent rotations:');
    for (const h of s.history.slice(0, 5))
      out.push(`  ${h.endedAt.slice(0, 16).replace('T', ' ')}  ${h.set.padEnd(6)} ${h.outcome.padEnd(8)} ${h.summary}`);
  }
  return `${out.join('\n')}\n`;
}

const time = (iso: string | undefined): string => (iso ? iso.slice(0, 19).replace('T', ' ') : 'never');

export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return 'unknown';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function renderCopy(c: NonNullable<StatusData['copy']>): string[] {
  const out = [`snapshot copy: ${c.volume ?? '(copy.source by hand)'} -> ${c.receiver}`];
  out.push(
    `  the secondary's last verified copy: ${c.lastVerifiedAt ? `${time(c.lastVerifiedAt)} (${formatAge(c.verifiedAgeSeconds)} old)` : 'none yet'}`,
  );
  const l = c.lastRun;
  if (l) out.push(`  last run: ${time(l.at)} ${l.ok ? 'ok' : 'FAILED'}: ${l.summary}`);
  if (c.guard)
    out.push(
      `  STOPPED by the fill guard (${time(c.guard.at)}): ${c.guard.reason}; run \`baysync copy run --clear-guard\` once dealt with`,
    );
  if (c.runningPid) out.push(`  running now (pid ${c.runningPid})${c.progress ? `: ${c.progress.text}` : ''}`);
  return out;
}

export function renderRealtime(r: NonNullable<StatusData['realtime']>): string[] {
  const out = [`real-time sync (${r.mode}): ${r.source} -> ${r.destination} via ${r.remote}`];
  out.push(
    `  recovery point: ${r.copyAsOf ? `${time(r.copyAsOf)} (${formatAge(r.recoveryPointAgeSeconds)} old)` : 'none yet'}; last success ${time(r.lastSuccessAt)}`,
  );
  const l = r.lastRun;
  if (l)
    out.push(
      `  last run: ${time(l.startedAt)} ${l.kind} (${l.trigger}) ${l.ok ? 'ok' : 'FAILED'} in ${l.durationMs} ms, ${formatBytes((l.bytesSent ?? 0) + (l.bytesReceived ?? 0))} moved, ${l.transferred ?? 0} files sent, ${l.deleted ?? 0} deleted${l.error ? `\n    error: ${l.error}` : ''}`,
    );
  if (r.consecutiveFailures) out.push(`  ${r.consecutiveFailures} failed run(s) in a row`);
  if (r.runningPid) out.push(`  running now (pid ${r.runningPid})`);
  if (r.suspended) out.push(`  SUSPENDED: ${r.suspended}`);
  if (r.push) {
    const p = r.push;
    out.push(
      `  watcher: ${p.watcher}${p.watchStartMs !== undefined ? ` (ready in ${(p.watchStartMs / 1000).toFixed(1)} s)` : ''}, ${p.pending} change(s) pending${p.lastOutcome ? `, last push ${p.lastOutcome}` : ''}`,
    );
    if (p.watcherError)
      out.push(`  WATCHER FAILED: ${p.watcherError}; fallback full sync every ${p.fallbackTimerSeconds} s`);
  }
  return out;
}

export function renderFailover(f: NonNullable<StatusData['failover']>): string[] {
  const path = (name: string, p: typeof f.lan): string =>
    `  ${name.padEnd(8)} ${p.peer} via ${p.interface}: ${p.up ? 'up' : 'DOWN'}${p.last ? `, last probe ${p.last.ok ? `ok ${p.last.rttMs} ms` : `no reply (${p.last.reason})`}` : ', not probed yet'}${p.fails ? `, ${p.fails} failed in a row` : ''}`;
  const out = [
    `failover: phase ${f.phase}, verdict ${f.verdict}, service address ${f.serviceAddress}`,
    path('LAN', f.lan),
    path('segment', f.segment),
  ];
  if (f.takeover)
    out.push(
      `  takeover started ${time(f.takeover.startedAt)}${f.takeover.finishedAt ? `, complete ${time(f.takeover.finishedAt)}` : `, steps done: ${f.takeover.done.join(', ') || 'none'}`}`,
      ...f.takeover.notes.map((n) => `    ${n}`),
    );
  if (f.transitions.length)
    out.push(
      '  last transitions:',
      ...f.transitions.slice(0, 8).map((t) => `    ${time(t.at)}  ${t.from} => ${t.to}: ${t.why}`),
    );
  return out;
}

const mark: Record<PlannedStep['status'], string> = {
  done: '[x]',
  pending: '[ ]',
  waiting: '[~]',
  deferred: '[-]',
  skipped: '[/]',
};

export function renderPlan(data: { rotation: RotationState | null; plan: Plan | null; status: string }): string {
  if (!data.rotation || !data.plan)
    return `no rotation running (${data.status}); plug in a complete set or run \`baysync rotate start --set NAME\`\n`;
  const out = [`rotation of set ${data.rotation.set}, phase ${data.plan.phase}; next: ${describeNext(data.plan)}`, ''];
  let phase = '';
  for (const st of data.plan.steps) {
    if (st.phase !== phase) {
      phase = st.phase;
      out.push(`${phase}:`);
    }
    out.push(`  ${mark[st.status]} ${st.title}${st.note ? `  (${st.note})` : ''}`);
    if (st.status === 'pending') for (const op of st.ops) out.push(`        $ ${renderOp(op)}`);
  }
  out.push('', 'legend: [x] done  [ ] to do  [~] waiting  [-] deferred  [/] skipped');
  return `${out.join('\n')}\n`;
}

function describeNext(p: Plan): string {
  switch (p.next.kind) {
    case 'run':
      return p.next.step.title;
    case 'wait':
      return `wait: ${p.next.reason}`;
    case 'abort':
      return `abort: ${p.next.reason}`;
    case 'finish':
      return `finish (${p.next.outcome})`;
  }
}

/** One line for `baysync sync run`. */
export function renderSyncOutcome(out: RunOutcome): string {
  if (out.status === 'skipped') return `skipped: ${out.reason}`;
  if (out.status === 'refused') return `REFUSED: ${out.reason}`;
  const r = out.run;
  if (!r.ok) return `FAILED: ${r.error}`;
  const moved = (r.bytesSent ?? 0) + (r.bytesReceived ?? 0);
  return `ok: ${r.transferred ?? 0} files sent, ${r.deleted ?? 0} deleted, ${moved} bytes moved in ${r.durationMs} ms`;
}
