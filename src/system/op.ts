// Operations: what a job step does to the system, as plain data. A step lists its operations
// from the facts (pure), `baysync plan` prints them, and the executor runs exactly those objects
// (op-runner.ts refuses any other). Contract: an Op is JSON-serializable; `run` argv is the
// verbatim argv (never a shell string); `fallback` ops run only when the op before them failed.
export type Op =
  | {
      kind: 'run';
      argv: string[];
      timeoutMs: number;
      /** A non-zero exit is returned to the step instead of failing it. */
      mayFail?: boolean;
      /** Runs only if an earlier op of the step failed (printed as such by `baysync plan`). */
      fallback?: boolean;
      /** After a success, wait (bounded) until this path is gone: the kernel removes a stopped md
       *  array's device in a work queue after the command returns, so a new array of the same
       *  name is assembled only after that (a precaution: the lab failure first blamed on this was
       *  the daemon, restarted by the hotplug unit, racing the adapter contract). */
      awaitGone?: string;
    }
  | { kind: 'write'; path: string; data: string; mayFail?: boolean; fallback?: boolean }
  | { kind: 'file'; path: string; content: string; fallback?: boolean };

export const run = (
  argv: string[],
  timeoutMs: number,
  extra: { mayFail?: boolean; fallback?: boolean; awaitGone?: string } = {},
): Op => ({
  kind: 'run',
  argv,
  timeoutMs,
  ...extra,
});
export const write = (path: string, data: string, extra: { mayFail?: boolean; fallback?: boolean } = {}): Op => ({
  kind: 'write',
  path,
  data,
  ...extra,
});
export const file = (path: string, content: string): Op => ({ kind: 'file', path, content });

/** One line for `baysync plan` and the journal. */
export function renderOp(op: Op): string {
  const prefix = op.fallback ? '(if that fails) ' : '';
  if (op.kind === 'run') return `${prefix}${op.argv.join(' ')}`;
  if (op.kind === 'write') return `${prefix}echo ${op.data} > ${op.path}`;
  return `${prefix}write ${op.path}: ${op.content.trim().split('\n')[0] ?? ''}`;
}

/** Identity of an op (what is compared when the executor checks that it was planned). */
export function opKey(op: Op): string {
  if (op.kind === 'run') return JSON.stringify(['run', op.argv]);
  if (op.kind === 'write') return JSON.stringify(['write', op.path, op.data]);
  return JSON.stringify(['file', op.path, op.content]);
}
