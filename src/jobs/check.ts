// Each job's part of `baysync check` (the monitoring plugin): its problems with their level
// (1 WARNING, 2 CRITICAL), what is fine, and its perfdata. combineChecks() makes the plugin's one
// line from the parts. Contract: pure.
export interface CheckPart {
  problems: Array<{ code: 1 | 2; text: string }>;
  oks: string[];
  perfs: string[];
}

export const emptyCheck = (): CheckPart => ({ problems: [], oks: [], perfs: [] });

/** Thresholds and range of one perfdata item (same unit as its value). */
export interface PerfRange {
  warn?: number;
  crit?: number;
  min?: number;
  max?: number;
}

/**
 * One perfdata item in the monitoring-plugins grammar, `'label'=value[UOM];warn;crit;min;max`:
 * the label quoted when it holds more than letters, digits, `_`, `.` and `-`; `U` (and no unit)
 * for an unknown value; trailing empty fields dropped.
 */
export function perf(label: string, value: number | undefined, uom = '', r: PerfRange = {}): string {
  const name = /^[A-Za-z0-9_.-]+$/.test(label) ? label : `'${label.replace(/'/g, "''")}'`;
  const v = value === undefined || !Number.isFinite(value) ? 'U' : `${value}${uom}`;
  const fields = [r.warn, r.crit, r.min, r.max].map((x) => (x === undefined ? '' : String(x)));
  while (fields.length && fields.at(-1) === '') fields.pop();
  return [`${name}=${v}`, ...fields].join(';');
}

const label = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** `BAYSYNC <LEVEL> - <problems, or what is fine> | <perfdata>`, and the exit code. */
export function combineChecks(parts: CheckPart[]): { code: 0 | 1 | 2; line: string } {
  const problems = parts.flatMap((p) => p.problems);
  const code = Math.max(0, ...problems.map((p) => p.code)) as 0 | 1 | 2;
  const text = problems.length ? problems.map((p) => p.text).join('; ') : parts.flatMap((p) => p.oks).join('; ');
  return { code, line: `BAYSYNC ${label[code]} - ${text} | ${parts.flatMap((p) => p.perfs).join(' ')}` };
}
