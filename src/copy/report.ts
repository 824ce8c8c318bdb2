// The snapshot copy's mail (issue 13): one per run, saying what the operator needs to know
// without the journal: the outcome, bytes read, sent and written, chunks changed, the
// verification and the secondary's filesystem check, how full the snapshot got, the duration,
// and the age of the secondary's last verified copy. A refusal because the fill guard is still
// tripped is not mailed again (the trip was). Contract: pure.
import type { MailMessage } from '../mail/spool.js';
import type { CopyRunOutcome } from './job-run.js';

const mib = (b: number | undefined): string => (b === undefined ? '-' : `${(b / 1048576).toFixed(1)} MiB`);

export function copyReport(
  out: CopyRunOutcome,
  volume: string,
  secondary: string,
  lastVerifiedAt: string | undefined,
  now: number,
): MailMessage | undefined {
  if (out.refused && /guard tripped/.test(out.refused)) return undefined;
  const state = out.ok ? 'verified' : out.refused ? 'REFUSED' : 'FAILED';
  const age =
    lastVerifiedAt === undefined
      ? 'the secondary holds no verified copy yet'
      : `the secondary's last verified copy is from ${lastVerifiedAt.slice(0, 16).replace('T', ' ')} (${((now - Date.parse(lastVerifiedAt)) / 3600_000).toFixed(1)} h ago)`;
  const lines = [
    `Snapshot copy of ${volume} to ${secondary}: ${state}.`,
    '',
    out.summary,
    '',
    `read:     ${mib(out.bytesRead)}`,
    `sent:     ${mib(out.bytesSent)} (${out.chunksSent ?? '-'} chunks changed)`,
    `written:  ${out.chunksWritten ?? '-'} chunks on the secondary, each read back and compared`,
    `snapshot: at most ${out.maxFillPercent === undefined ? '-' : `${out.maxFillPercent.toFixed(1)}%`} full`,
    `duration: ${(out.durationMs / 1000).toFixed(0)} s`,
    age,
    ...(out.notes.length ? ['', ...out.notes.map((n) => `note: ${n}`)] : []),
    ...(out.ok ? [] : ['', 'What to do: see `baysync status`, and `journalctl -t baysync` for this run.']),
  ];
  return { subject: `[baysync] snapshot copy of ${volume}: ${state}`, text: `${lines.join('\n')}\n` };
}
