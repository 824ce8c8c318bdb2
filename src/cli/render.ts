// Human rendering of the daemon's status and plan (the CLI's `status` and `plan`).
// Contract: pure functions from the JSON data the daemon returns to text; `--json` prints the
// data itself instead, so both views always show the same facts.
import type { StatusData } from '../daemon/status.js';
import type { Plan, PlannedStep, RotationState } from '../rotation/types.js';
import { formatBytes } from '../rotation/report.js';
import { formatEta } from '../rotation/engine.js';

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
  if (r) {
    out.push('', `rotation ${r.id}: set ${r.set}, phase ${r.phase}, started ${r.startedAt.slice(0, 19).replace('T', ' ')}`);
    if (r.phase === 'syncing' && r.percent !== undefined) {
      const speed = r.progress?.speedKps ? `  ${(r.progress.speedKps / 1024).toFixed(1)} MiB/s` : '';
      out.push(`  ${progressBar(r.percent)}${speed}${r.etaSeconds !== undefined ? `  ETA ${formatEta(r.etaSeconds)}` : ''}`);
    }
    if (r.joinMode) out.push(`  join: ${r.joinMode}, resync ${formatBytes(r.resyncBytes)}`);
    if (r.abortReason) out.push(`  aborting: ${r.abortReason}`);
    for (const w of r.warnings) out.push(`  warning: ${w}`);
  } else {
    out.push('', 'no rotation running');
  }
  if (s.waiting.length) out.push(`waiting sets: ${s.waiting.join(', ')}`);
  out.push('', 'sets:');
  for (const set of s.sets) {
    out.push(`  ${set.name.padEnd(8)} last good copy: ${set.lastSuccess ? `${set.lastSuccess.slice(0, 16).replace('T', ' ')} (${set.ageDays} days)` : 'never'}${set.lastOutcome && set.lastOutcome !== 'success' ? `  last rotation ${set.lastOutcome}` : ''}${set.overdue ? '  OVERDUE' : ''}`);
  }
  out.push(`oldest copy away from the server: ${s.oldestCopyAgeDays !== undefined ? `${s.oldestCopyAgeDays} days` : 'unknown (a set has never rotated)'}`);
  if (s.mailPending) out.push(`mail spool: ${s.mailPending} message(s) waiting for the transport`);
  if (s.history.length) {
    out.push('', 'recent rotations:');
    for (const h of s.history.slice(0, 5)) out.push(`  ${h.endedAt.slice(0, 16).replace('T', ' ')}  ${h.set.padEnd(6)} ${h.outcome.padEnd(8)} ${h.summary}`);
  }
  return `${out.join('\n')}\n`;
}

const mark: Record<PlannedStep['status'], string> = { done: '[x]', pending: '[ ]', waiting: '[~]', deferred: '[-]', skipped: '[/]' };

export function renderPlan(data: { rotation: RotationState | null; plan: Plan | null; status: string }): string {
  if (!data.rotation || !data.plan) return `no rotation running (${data.status}); plug in a complete set or run \`baysync rotate start --set NAME\`\n`;
  const out = [`rotation of set ${data.rotation.set}, phase ${data.plan.phase}; next: ${describeNext(data.plan)}`, ''];
  let phase = '';
  for (const st of data.plan.steps) {
    if (st.phase !== phase) {
      phase = st.phase;
      out.push(`${phase}:`);
    }
    out.push(`  ${mark[st.status]} ${st.title}${st.note ? `  (${st.note})` : ''}`);
    if (st.status === 'pending') for (const c of st.commands ?? []) out.push(`        $ ${c.join(' ')}`);
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

