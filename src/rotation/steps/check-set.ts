// Step check-set (phase checking): the pure check before anything is touched (invariant 1: the
// internal half is the authority), then the record notes the members, root partitions and
// mirror found. Contract: no operations; refusing throws and the rotation aborts untouched.

import type { RotationConfig as Config } from '../../config/schema.js';
import { internalHalfProblem, setPresence, stripeTooSmall, topMirrorProblem } from '../detect.js';
import { StepError } from '../errors.js';
import type { Facts, RotationState } from '../types.js';
import type { RotationStep } from './context.js';

export interface PlanInput {
  cfg: Config;
  rotation: RotationState;
  facts: Facts;
}

/** Pure check before anything is touched; returns the reason to refuse, if any. */
export function checkSet(input: PlanInput): { ok: true } | { ok: false; reason: string; wait?: boolean } {
  const { cfg, rotation, facts } = input;
  const set = cfg.sets.find((s) => s.name === rotation.set);
  if (!set) return { ok: false, reason: `set ${rotation.set} is not configured` };
  const p = setPresence(cfg, set, facts);
  if (!p.complete)
    return {
      ok: false,
      wait: true,
      reason: `set ${set.name} incomplete: ${p.members.length} of ${p.expected || '?'} stripe members present`,
    };
  const mirror = p.mirrorArray;
  const problem = internalHalfProblem(mirror, p.stripeArray?.name);
  if (problem) return { ok: false, reason: `refusing to join set ${set.name}: ${problem}` };
  const top = topMirrorProblem(cfg, facts, mirror);
  if (top) return { ok: false, reason: `refusing to join set ${set.name}: ${top}` };
  if (mirror && !p.joined && (mirror.degraded ?? 0) === 0) {
    return {
      ok: false,
      reason: `mirror ${mirror.name} is not degraded: it has no free slot for set ${set.name} (another device holds it)`,
    };
  }
  if (mirror?.componentSizeKiB && p.sizeBytes > 0 && p.sizeBytes < mirror.componentSizeKiB * 1024) {
    return {
      ok: false,
      reason: `set ${set.name} is too small: its stripe members hold ${p.sizeBytes} bytes, mirror ${mirror.name} needs at least ${mirror.componentSizeKiB * 1024}; use larger drives`,
    };
  }
  const small = stripeTooSmall(p.stripeArray, mirror);
  if (small) return { ok: false, reason: small };
  if (facts.stripeContent && facts.stripeContent.uuid !== set.mirror_uuid) {
    return {
      ok: false,
      reason: `stripe of set ${set.name} carries the superblock of another array (${facts.stripeContent.uuid}); it is not ${set.name}'s copy and will not be written`,
    };
  }
  if (!facts.mountpointMounted)
    return { ok: false, reason: `${cfg.storage.mountpoint} is not mounted; the pool must be live for a rotation` };
  return { ok: true };
}

export const checkSetStep: RotationStep = {
  id: 'check-set',
  phase: 'checking',
  keepsFacts: true,
  title: (c) => `check set ${c.set.name}: complete, large enough, internal half in sync`,
  status: (c) => {
    if (c.did('check-set')) return { status: 'done' };
    const check = checkSet({ cfg: c.cfg, rotation: c.r, facts: c.facts });
    if (check.ok) return { status: 'pending' };
    return { status: check.wait ? 'waiting' : 'pending', note: check.reason };
  },
  run: async (c) => {
    const check = checkSet({ cfg: c.cfg, rotation: c.r, facts: c.facts });
    if (!check.ok) throw new StepError(check.reason);
    c.r.members = c.p.members;
    c.r.rootPartitions = c.cfg.root_mirror ? c.p.rootPartitions : [];
    c.r.mirrorDevice = c.mirror?.name;
    c.r.rootMirrorDevice = c.rootMirror?.name;
  },
};
