// The kernel's step runner: one planned step of a job runs with an exec() limited to the ops its
// plan listed (system/op-runner.ts), is marked done and persisted, or turns the job into its
// abort (record.ts). markPassed() keeps progress monotonic: steps the plan shows as done or
// skipped before the next one are recorded done, so an effect undone on purpose later (the root
// partitions leave md1 in the detach) does not make them run again.
import type { Logger } from 'pino';
import type { OpRunner } from '../system/op-runner.js';
import { failStep, type JobRecord, markDone, type RecordIo } from './record.js';
import type { PlannedStep, Step } from './step.js';

export interface RunArgs<Id extends string, Ph extends string, R> {
  record: JobRecord<Ph, Id>;
  planned: PlannedStep<Id, Ph>;
  step: Step<Id, Ph, never, R>;
  ctx: R;
  ops: OpRunner;
  io: RecordIo & { log: Logger };
  abortPhase: Ph;
  beginAbort: (reason: string) => void;
  onStep?: (s: PlannedStep<Id, Ph>) => void;
}

export async function runPlanned<Id extends string, Ph extends string, R>(a: RunArgs<Id, Ph, R>): Promise<void> {
  a.io.log.info({ job: a.record.id, step: a.planned.id }, a.planned.title);
  a.onStep?.(a.planned);
  try {
    const again = await a.step.run(a.ctx, a.ops.forStep(a.planned.ops), a.planned.ops);
    if (again !== 'again') markDone(a.record, a.planned.id);
    a.io.persist();
  } catch (e) {
    failStep(a.record, a.planned, e, a.io, a.abortPhase, a.beginAbort);
  }
}

export function markPassed<Id extends string>(
  r: JobRecord<string, Id>,
  steps: PlannedStep<Id>[],
  next: PlannedStep<Id>,
  onPassed?: (id: Id) => void,
): void {
  for (const st of steps) {
    if (st === next) break;
    if ((st.status === 'done' || st.status === 'skipped') && !r.done.includes(st.id)) {
      markDone(r, st.id);
      onPassed?.(st.id);
    }
  }
}
