// A new rotation record, from the set found plugged in: its members and root partitions as seen
// now, whether md should re-add it into the bitmap (it rotated before), and the warning of
// invariant 6 when the same set rotates twice in a row while another is overdue.
// Contract: pure (the time and a random suffix come in).
import type { RotationConfig as Config } from '../config/schema.js';
import { presentSets, setPresence } from './detect.js';
import type { Facts, PersistedState, RotationState } from './types.js';

export function newRotation(
  cfg: Config,
  state: PersistedState,
  setName: string,
  facts: Facts,
  at: string,
  suffix: string,
): { r: RotationState; warning?: string } {
  const set = cfg.sets.find((s) => s.name === setName)!;
  const p = setPresence(cfg, set, facts);
  const last = state.lastBySet[setName];
  const r: RotationState = {
    id: `${at.slice(0, 19).replace(/[:T]/g, '')}-${setName}-${suffix}`,
    set: setName,
    phase: 'checking',
    startedAt: at,
    timeline: [{ phase: 'checking', at }],
    members: p.members,
    rootPartitions: p.rootPartitions,
    stripeDevice: set.stripe_device,
    setIdentity: { stripeUuid: set.stripe_uuid, mirrorUuid: set.mirror_uuid },
    expectReAdd: Boolean(last && last.outcome !== 'aborted') || undefined,
    done: [],
    warnings: [],
  };
  const others = cfg.sets.filter((s) => s.name !== setName);
  if (state.history[0]?.set !== setName || !others.length) return { r };
  const overdue = others
    .map((o) => `${o.name} (last: ${state.lastBySet[o.name]?.endedAt.slice(0, 10) ?? 'never'})`)
    .join(', ');
  const warning = `set ${setName} rotated twice in a row; the other set(s) are overdue: ${overdue}`;
  r.warnings.push(warning);
  return { r, warning };
}

/**
 * Which complete set rotates now: one that waited first (invariant 6), else the first plugged in;
 * none while auto_start is off (those are listed in `manual`) or for a set that just rotated and
 * was not unplugged since.
 */
export function whichToStart(
  cfg: Config,
  state: PersistedState,
  facts: Facts,
  awaitingRemoval: Set<string>,
): { start?: string; manual: string[] } {
  const present = presentSets(cfg, facts).filter((p) => p.complete && !awaitingRemoval.has(p.set.name));
  if (!present.length) return { manual: [] };
  if (!cfg.policy.auto_start) return { manual: present.map((p) => p.set.name) };
  return {
    start: state.waiting.find((w) => present.some((p) => p.set.name === w)) ?? present[0]!.set.name,
    manual: [],
  };
}
