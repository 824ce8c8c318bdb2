// The persisted record every job keeps: its phase, a timeline of phase changes, the steps done,
// warnings and the abort reason. transition() logs `phase A => phase B` and persists before the
// caller goes on; completeStep() and failStep() implement the kernel's rule for failures: a
// failing step turns the job into an abort, and a failing abort step is reported and marked done
// so that every abort step runs once and the cleanup always goes to its end.
import type { Logger } from 'pino';

export interface JobRecord<Ph extends string = string, Id extends string = string> {
  id: string;
  phase: Ph;
  startedAt: string;
  timeline: Array<{ phase: Ph; at: string }>;
  /** Steps completed (persisted before the next one runs). */
  done: Id[];
  warnings: string[];
  abortReason?: string;
}

export interface RecordIo {
  persist: () => void;
  now: () => string;
  log: Logger;
}

export function transition<Ph extends string>(
  r: JobRecord<Ph>,
  to: Ph,
  io: RecordIo,
  fields: Record<string, unknown> = {},
): void {
  const from = r.phase;
  r.phase = to;
  r.timeline.push({ phase: to, at: io.now() });
  io.persist();
  io.log.info({ ...fields, from, to }, `phase ${from} => ${to}`);
}

export function markDone<Id extends string>(r: JobRecord<string, Id>, id: Id): void {
  if (!r.done.includes(id)) r.done.push(id);
}

/**
 * A step threw. In an abort the failure is a warning and the step counts as done (each abort
 * step runs once); otherwise the job starts its abort with the step's title and error.
 */
export function failStep<Ph extends string, Id extends string>(
  r: JobRecord<Ph, Id>,
  step: { id: Id; title: string },
  err: unknown,
  io: RecordIo,
  abortPhase: Ph,
  beginAbort: (reason: string) => void,
): void {
  const msg = err instanceof Error ? err.message : String(err);
  if (r.phase === abortPhase) {
    io.log.error({ step: step.id, err: msg }, 'abort step failed; continuing the abort');
    r.warnings.push(`${step.title}: ${msg}`);
    markDone(r, step.id);
    io.persist();
    return;
  }
  io.log.error({ step: step.id, err: msg }, `step failed: ${step.title}`);
  beginAbort(`${step.title} failed: ${msg}`);
}
