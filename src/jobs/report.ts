// The report mail every job sends: plain text wrapped at 76 columns (7bit, no quoted-printable),
// the timeline of its phases with their durations. Contract: pure.
import { formatDuration } from './progress.js';
import type { JobRecord } from './record.js';

/** Wrap a line at its last space before `width` (mail stays 7bit, no quoted-printable); spacing inside the line is kept. */
export function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)![0];
  let cut = line.lastIndexOf(' ', width);
  if (cut <= indent.length) cut = width;
  const rest = `${indent}  ${line.slice(cut).trimStart()}`;
  return [line.slice(0, cut).trimEnd(), ...(rest.trim() ? wrap(rest, width) : [])];
}

export function timelineLines(r: Pick<JobRecord, 'timeline'>, nowIso: string): string[] {
  return r.timeline.map((t, i) => {
    const end = r.timeline[i + 1]?.at ?? nowIso;
    return `  ${t.at.replace('T', ' ').slice(0, 19)}  ${t.phase.padEnd(14)} ${formatDuration(Date.parse(end) - Date.parse(t.at))}`;
  });
}

/** The mail body: every line wrapped at 76 columns, ending with a newline. */
export function mailText(lines: string[]): string {
  return `${lines.flatMap((l) => wrap(l, 76)).join('\n')}\n`;
}
