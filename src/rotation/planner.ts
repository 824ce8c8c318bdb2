// The pure rotation planner. Given the config, the persisted rotation and the facts read from
// the system, it lists every step of the rotation (steps/) with its status (done / pending /
// waiting / deferred / skipped) and its operations, and says what comes next: run a step, wait,
// abort, or finish.
// A step counts as done when the persisted record says so or when the facts show its effect
// (so a crash between acting and persisting repeats nothing). The phase is the phase of the
// first step not done. Contract: no I/O, no clock (times come in through `now`); exhaustively
// unit-tested; `baysync plan` prints exactly this.

import { firstOpen, planSteps } from '../jobs/step.js';
import { internalHalfProblem, setPresence, topMirrorProblem } from './detect.js';
import type { PlanInput } from './steps/check-set.js';
import { derive } from './steps/context.js';
import { abortSteps, normalSteps } from './steps/index.js';
import type { Next, Phase, Plan } from './types.js';
import { verifyOutcome } from './verdict.js';

export type { PlanInput };

/** Phases before the copy is detached: losing the set here aborts the rotation. */
const attachedPhases: Phase[] = ['checking', 'assembling', 'joining', 'pausing', 'syncing'];

export function plan(input: PlanInput): Plan {
  const { rotation } = input;
  const ctx = derive(input.cfg, rotation, input.facts);
  const steps = planSteps(
    rotation.phase === 'aborting' || rotation.phase === 'aborted' ? abortSteps : normalSteps,
    ctx,
  );
  const first = firstOpen(steps);
  let next: Next;
  if (rotation.phase === 'aborted' || (rotation.phase === 'aborting' && !first)) {
    next = { kind: 'finish', outcome: 'aborted' };
  } else if (!first) {
    next = { kind: 'finish', outcome: verifyOutcome(rotation.verify) };
  } else if (first.status === 'waiting') {
    next = { kind: 'wait', step: first, reason: first.note ?? 'waiting' };
  } else {
    next = { kind: 'run', step: first };
  }
  const problem =
    rotation.phase !== 'aborting' && rotation.phase !== 'aborted'
      ? abortCondition(input, first?.phase ?? 'reporting')
      : undefined;
  if (problem) next = { kind: 'abort', reason: problem };
  return { phase: first?.phase ?? (rotation.phase === 'aborting' ? 'aborted' : 'done'), steps, next };
}

/** Conditions that end a rotation early: the set vanished before the detach, or the internal half went bad. */
function abortCondition(input: PlanInput, phase: Phase): string | undefined {
  const { cfg, rotation, facts } = input;
  const set = cfg.sets.find((s) => s.name === rotation.set);
  if (!set) return `set ${rotation.set} is no longer in the configuration`;
  if (!attachedPhases.includes(phase)) return undefined;
  const p = setPresence(cfg, set, facts);
  const stripe = p.stripeArray;
  const stripeBroken =
    stripe &&
    (stripe.arrayState === 'inactive' ||
      stripe.arrayState === 'broken' ||
      (stripe.members.length > 0 && stripe.members.length < (stripe.raidDisks ?? 0)));
  if (!p.complete && rotation.done.includes('check-set')) {
    return `a drive of set ${set.name} disappeared during ${phase} (${p.members.length} of ${Math.max(p.expected, rotation.members.length)} stripe members present)`;
  }
  if (stripeBroken)
    return `stripe ${stripe.name} of set ${set.name} failed during ${phase} (a drive was removed or failed)`;
  const mirror = p.mirrorArray;
  if (rotation.done.includes('check-set')) {
    const internal = internalHalfProblem(mirror, stripe?.name);
    if (internal) return `internal half not healthy: ${internal}`;
    if (!rotation.done.includes('remove-stripe')) {
      const top = topMirrorProblem(cfg, facts, mirror);
      if (top) return top;
    }
    if (p.joined && mirror?.members.find((m) => m.dev === stripe?.name)?.state.includes('faulty')) {
      return `stripe ${stripe?.name} was marked faulty in ${mirror.name}`;
    }
  }
  return undefined;
}
