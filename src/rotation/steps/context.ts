// What a rotation step plans from and runs with. PlanCtx is pure data derived once per plan from
// the config, the persisted rotation and the facts (the set, its presence, the arrays involved);
// RunCtx adds the adapters for reads, the mail spool, the clock, the logger and persist().
// Contract: derive() has no I/O; a step's title/status/ops read only a PlanCtx.
import type { Logger } from 'pino';
import type { RotationConfig as Config, SetConfig } from '../../config/schema.js';
import type { Step, StepView } from '../../jobs/step.js';
import type { MailSpool } from '../../mail/spool.js';
import type { MdArrayState } from '../../system/md.js';
import type { Op } from '../../system/op.js';
import type { Exec } from '../../system/op-runner.js';
import type { Adapters } from '../adapters.js';
import { activeArrayByUuid, arrayByName, rotationSet, type SetPresence, setPresence } from '../detect.js';
import type { Facts, Phase, RotationState, StepId } from '../types.js';

export interface PlanCtx {
  cfg: Config;
  r: RotationState;
  facts: Facts;
  /** The set as recorded at the start (its identity does not follow later config edits). */
  set: SetConfig;
  p: SetPresence;
  stripe?: MdArrayState;
  stripeName: string;
  mirror?: MdArrayState;
  mirrorName: string;
  rootMirror?: MdArrayState;
  rootParts: string[];
  /** The copy left the mirror (or never will join it again in this rotation). */
  detached: boolean;
  did: (id: StepId) => boolean;
}

export interface RunCtx extends PlanCtx {
  a: Adapters;
  mail: MailSpool;
  log: Logger;
  persist: () => void;
  nowMs: () => number;
  iso: () => string;
  /** Progress inside a long step (each file a verification reads): feeds the watchdog. */
  beat: () => void;
}

export type RotationStep = Step<StepId, Phase, PlanCtx, RunCtx>;

export function derive(cfg: Config, r: RotationState, facts: Facts): PlanCtx {
  // A set gone from the config mid-rotation is still found by the identity the record keeps:
  // the planner aborts, and the abort steps remove its partial copy. (A record written before
  // the identity was kept, with its set gone, matches no array.)
  const set = rotationSet(cfg, r);
  const did = (id: StepId): boolean => r.done.includes(id);
  const p = setPresence(cfg, set, facts);
  const mirror = p.mirrorArray ?? arrayByName(facts, r.mirrorDevice);
  const stripe =
    p.stripeArray ?? (r.phase === 'aborting' ? leftoverStripe(facts, set, mirror, r.stripeDevice) : undefined);
  return {
    cfg,
    r,
    facts,
    set,
    p,
    stripe,
    stripeName: stripe?.name ?? r.stripeDevice,
    mirror,
    mirrorName: mirror?.name ?? r.mirrorDevice ?? '(mirror)',
    rootMirror: cfg.root_mirror ? activeArrayByUuid(facts, cfg.root_mirror.uuid) : undefined,
    rootParts: r.rootPartitions.map((x) => x.dev),
    detached: did('remove-stripe') || (did('freeze') && !p.joined),
    did,
  };
}

/**
 * For the abort: the set's stripe in whatever state a pulled drive left it. A RAID0 that lost a
 * drive is "broken", not active (the Debian 13 lab guest: `md8 : broken raid0`, and md5 holding
 * `md8[2](F)`), so the set's presence does not count it; the abort must still take it out of the
 * mirror and stop it. It is found by the stripe's UUID, or, when even that cannot be read, by its
 * configured name among the members of the set's mirror (found by its own UUID).
 */
function leftoverStripe(
  facts: Facts,
  set: SetConfig,
  mirror: MdArrayState | undefined,
  name: string,
): MdArrayState | undefined {
  const byUuid = facts.arrays.find((a) => a.uuid === set.stripe_uuid);
  if (byUuid) return byUuid;
  const a = arrayByName(facts, name);
  return a && a.uuid === undefined && mirror?.members.some((m) => m.dev === name) ? a : undefined;
}

/** Members of `array` among `devs` (for fail/remove of what is still there). */
export const stillIn = (array: MdArrayState | undefined, devs: string[]): string[] =>
  devs.filter((d) => array?.members.some((m) => m.dev === d));

/** The status of a step whose effect the facts cannot show: done once the record says so. */
export const doneOnceRecorded =
  (id: StepId) =>
  (c: PlanCtx): StepView => ({ status: c.did(id) ? 'done' : 'pending' });

/** A run that performs its planned operations in order, nothing else. */
export async function runAll(_c: RunCtx, exec: Exec, ops: Op[]): Promise<void> {
  for (const op of ops) await exec(op);
}
