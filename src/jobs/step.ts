// The Step contract of the job kernel. A step knows, from a pure context (config, the job's
// persisted record, the facts read from the system), whether it applies, its title, whether it
// is done or must wait, and the exact operations it would run; run() then performs exactly
// those operations through a guarded exec (op-runner.ts). planSteps() turns a step list into
// the plan that `baysync plan` prints. Contract: title/status/ops are pure; run() receives the
// ops that were planned and may run a subset (fallbacks only after a failure), never others.

import type { Op } from '../system/op.js';
import type { Exec } from '../system/op-runner.js';

export type StepStatus = 'done' | 'pending' | 'waiting' | 'deferred' | 'skipped';

export interface StepView {
  status: StepStatus;
  /** Why the step waits, is deferred or skipped; or what it found. */
  note?: string;
}

export interface Step<Id extends string, Ph extends string, P, R> {
  id: Id;
  phase: Ph;
  /** Absent steps (a feature switched off in the config) are left out of the plan. */
  applies?: (c: P) => boolean;
  title: (c: P) => string;
  status: (c: P) => StepView;
  ops?: (c: P) => Op[];
  /** Its run leaves what the facts say as it was (a check, a sync, a mount and unmount, a mail):
   *  the executor may plan the next step from the same facts instead of reading them again. */
  keepsFacts?: boolean;
  /** Resolves to the string "again" when the step acted but is not done yet (it is planned again). */
  run: (c: R, exec: Exec, ops: Op[]) => Promise<unknown>;
}

export interface PlannedStep<Id extends string = string, Ph extends string = string> {
  id: Id;
  phase: Ph;
  title: string;
  status: StepStatus;
  note?: string;
  /** The operations the step runs, verbatim (fallbacks marked). */
  ops: Op[];
}

export function planSteps<Id extends string, Ph extends string, P>(
  steps: ReadonlyArray<Step<Id, Ph, P, never>>,
  c: P,
): PlannedStep<Id, Ph>[] {
  return steps
    .filter((s) => s.applies?.(c) ?? true)
    .map((s) => {
      const v = s.status(c);
      return {
        id: s.id,
        phase: s.phase,
        title: s.title(c),
        status: v.status,
        ...(v.note !== undefined ? { note: v.note } : {}),
        ops: s.ops?.(c) ?? [],
      };
    });
}

/** The first step that is not done: the one to run or to wait for. */
export function firstOpen<T extends { status: StepStatus }>(steps: T[]): T | undefined {
  return steps.find((s) => s.status === 'pending' || s.status === 'waiting');
}
