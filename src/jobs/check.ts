// Each job's part of `baysync check` (the monitoring plugin): its problems with their level
// (1 WARNING, 2 CRITICAL), what is fine, and its perfdata. combineChecks() makes the plugin's one
// line from the parts. Contract: pure.
export interface CheckPart {
  problems: Array<{ code: 1 | 2; text: string }>;
  oks: string[];
  perfs: string[];
}

export const emptyCheck = (): CheckPart => ({ problems: [], oks: [], perfs: [] });

const label = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** `BAYSYNC <LEVEL> - <problems, or what is fine> | <perfdata>`, and the exit code. */
export function combineChecks(parts: CheckPart[]): { code: 0 | 1 | 2; line: string } {
  const problems = parts.flatMap((p) => p.problems);
  const code = Math.max(0, ...problems.map((p) => p.code)) as 0 | 1 | 2;
  const text = problems.length ? problems.map((p) => p.text).join('; ') : parts.flatMap((p) => p.oks).join('; ');
  return { code, line: `BAYSYNC ${label[code]} - ${text} | ${parts.flatMap((p) => p.perfs).join(' ')}` };
}
