// The rotation report: the mail text for a finished, failed or aborted rotation, and the
// one-line summary kept in the history. Contract: pure (times come in as ISO strings in the
// record; `now` is passed in); the text is plain ASCII-safe and names what to do next.

import { formatBytes, formatDuration } from '../jobs/progress.js';
import { mailText, timelineLines } from '../jobs/report.js';
import type { MailMessage } from '../mail/spool.js';
import type { HistoryEntry, Outcome, RotationState } from './types.js';
import { verifyOutcome } from './verdict.js';

export function summaryLine(r: RotationState, outcome: Outcome): string {
  if (outcome === 'aborted') return `aborted: ${r.abortReason ?? 'unknown reason'}`;
  if (outcome === 'failed') return `verification failed: ${r.verify?.detail ?? '?'}`;
  const figures = `${r.joinMode ?? '?'} resynced ${formatBytes(r.resyncBytes)}, BackupPC detach window ${formatDuration(r.pauseWindow?.ms)}`;
  if (outcome === 'inconclusive') return `verification inconclusive: ${r.verify?.detail ?? '?'}`;
  return `ok: ${figures}${r.verify?.proved ? `; ${r.verify.proved}` : ''}`;
}

export function rotationMail(r: RotationState, outcome: Outcome, nowIso: string, extra: string[] = []): MailMessage {
  const disks = [...new Set(r.members.map((m) => m.disk))].join(', ');
  const lines: string[] = [];
  let subject: string;
  if (outcome === 'success') {
    subject = `[baysync] set ${r.set}: offline copy done, safe to remove`;
    lines.push(
      `The offline copy on set ${r.set} (${disks}) is complete and verified.`,
      '',
      'SAFE TO REMOVE: the drives are spun down and detached. Pull them and take them off site.',
    );
  } else if (outcome === 'inconclusive') {
    subject = `[baysync] set ${r.set}: offline copy done, verification INCONCLUSIVE`;
    lines.push(
      `The copy on set ${r.set} (${disks}) was detached, but its verification proved too little of it to call it good: ${r.verify?.detail ?? 'unknown'}.`,
      '',
      'Nothing wrong was found, and nothing is proved either. The drives are spun down and detached.',
      `Next: plug the set in again and run \`baysync verify --set ${r.set}\`, or raise policy.verify_block_share /`,
      'verify_sample_files (or lower verify_min_proved_percent) if the pool cannot be proved within the rotation.',
    );
  } else if (outcome === 'failed') {
    subject = `[baysync] set ${r.set}: VERIFICATION FAILED`;
    lines.push(
      `The copy on set ${r.set} (${disks}) was detached but did NOT verify: ${r.verify?.detail ?? 'unknown'}.`,
      '',
      'Do not rely on this copy. The drives are left running for inspection.',
      `Next: run \`baysync verify --set ${r.set}\` to re-check it, and see \`journalctl -u baysync\`.`,
      'If it fails again, plug the set in again later: the next rotation rewrites the changed blocks.',
    );
  } else {
    subject = `[baysync] set ${r.set}: rotation ABORTED`;
    lines.push(
      `The rotation of set ${r.set} (${disks}) was aborted: ${r.abortReason ?? 'unknown reason'}.`,
      '',
      'The internal arrays were not touched beyond removing the partial copy; BackupPC is back in the state it had before.',
      'The copy on this set is INCOMPLETE and must not be used as a backup.',
      'Next: check the drives and cables, then plug the set in again; the write-intent bitmap makes the next sync resume quickly.',
      'Details: `journalctl -u baysync -p warning`.',
    );
  }
  lines.push('', 'Timeline:', ...timelineLines(r, nowIso));
  lines.push('', 'Figures:');
  lines.push(
    `  join:                ${r.joinMode ?? 'not joined'}${r.expectReAdd && r.joinMode === 'add' ? ' (FULL RECOVERY where a bitmap re-add was expected)' : ''}`,
  );
  lines.push(`  bytes resynced:      ${r.joinMode ? formatBytes(r.resyncBytes) : '-'}`);
  lines.push(
    `  sync duration:       ${r.syncStartedAt && r.syncEndedAt ? formatDuration(Date.parse(r.syncEndedAt) - Date.parse(r.syncStartedAt)) : '-'}`,
  );
  lines.push(
    `  BackupPC stopped:    ${r.pauseWindow?.ms !== undefined ? `${formatDuration(r.pauseWindow.ms)} during the detach` : '-'}${r.backuppc?.stoppedForSync ? ` (also stopped from ${r.backuppc.stoppedForSync.slice(11, 19)} to speed up the sync)` : ''}`,
  );
  if (r.verify) {
    const word = { success: 'OK', failed: 'FAILED', inconclusive: 'INCONCLUSIVE' }[verifyOutcome(r.verify)];
    lines.push(`  verification:        ${word}: ${r.verify.detail}`);
    if (r.verify.skippedFiles?.length)
      lines.push(
        `  files not compared:  ${r.verify.skippedFiles.join(', ')} (changed in the live pool since the detach)`,
      );
  } else {
    lines.push('  verification:        not done');
  }
  if (r.spinDown?.length) {
    lines.push(
      `  spin-down:           ${r.spinDown.map((s) => `${s.disk} ${s.stoppedBy ?? 'not stopped'}${s.deleted ? ', detached' : ''}`).join('; ')}`,
    );
  }
  const warnings = [...r.warnings, ...extra];
  if (warnings.length) lines.push('', 'Warnings:', ...warnings.map((w) => `  - ${w}`));
  lines.push('', `Rotation ${r.id}.`);
  return { subject, text: mailText(lines) };
}

/** The history entry a finished rotation leaves (state.json keeps the newest 50). */
export function historyEntry(r: RotationState, outcome: Outcome, endedAt: string): HistoryEntry {
  const { id, set, startedAt, resyncBytes, joinMode, syncStartedAt, syncEndedAt } = r;
  return {
    id,
    set,
    outcome,
    startedAt,
    endedAt,
    resyncBytes,
    joinMode,
    pauseWindowMs: r.pauseWindow?.ms,
    syncStartedAt,
    syncEndedAt,
    proved: r.verify?.proved,
    summary: summaryLine(r, outcome),
  };
}
