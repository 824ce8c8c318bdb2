// Pure detection: which configured sets are present, complete, assembled and joined, which
// root-mirror partitions sit on their disks, and which md members are unknown. Everything is
// decided by md UUIDs, never by device names. Contract: no I/O; same facts -> same answer.
import type { RotationConfig as Config, SetConfig } from '../config/schema.js';
import type { MdArrayState } from '../system/md.js';
import type { Candidate, Facts, MemberRef, RotationState } from './types.js';

export interface SetPresence {
  set: SetConfig;
  members: MemberRef[];
  /** Expected stripe members, from the superblock (MD_DEVICES). */
  expected: number;
  complete: boolean;
  disks: string[];
  rootPartitions: MemberRef[];
  stripeArray?: MdArrayState;
  mirrorArray?: MdArrayState;
  /** The stripe is currently a member of its mirror. */
  joined: boolean;
  sizeBytes: number;
}

export function activeArrayByUuid(facts: Facts, uuid: string): MdArrayState | undefined {
  return facts.arrays.find((a) => a.active && a.uuid === uuid);
}

export function arrayByName(facts: Facts, name: string | undefined): MdArrayState | undefined {
  return name ? facts.arrays.find((a) => a.name === name) : undefined;
}

export function isMemberOf(array: MdArrayState | undefined, dev: string | undefined): boolean {
  return Boolean(array && dev && array.members.some((m) => m.dev === dev && !m.state.includes('faulty')));
}

const toRef = (c: Candidate): MemberRef => ({ dev: c.dev, disk: c.disk, devUuid: c.examine.devUuid });

export function setPresence(cfg: Config, set: SetConfig, facts: Facts): SetPresence {
  const own = facts.candidates.filter((c) => c.examine.uuid === set.stripe_uuid);
  const expected = own.reduce((m, c) => Math.max(m, c.examine.raidDevices), 0);
  const disks = [...new Set(own.map((c) => c.disk))];
  const rootUuid = cfg.root_mirror?.uuid;
  const rootPartitions = rootUuid
    ? facts.candidates.filter((c) => c.examine.uuid === rootUuid && disks.includes(c.disk)).map(toRef)
    : [];
  const partNo = cfg.root_mirror?.partition;
  if (partNo) {
    // A new set: the configured partition of each of its disks, if it carries no superblock at all.
    for (const disk of disks) {
      if (rootPartitions.some((r) => r.disk === disk)) continue;
      const name = partitionName(disk, partNo);
      const blank = facts.blankPartitions.find((b) => b.dev === name && b.disk === disk);
      if (blank) rootPartitions.push({ dev: blank.dev, disk });
    }
  }
  const stripeArray = activeArrayByUuid(facts, set.stripe_uuid);
  const mirrorArray = activeArrayByUuid(facts, set.mirror_uuid);
  return {
    set,
    members: own.map(toRef),
    expected,
    complete: own.length > 0 && own.length >= expected,
    disks,
    rootPartitions,
    stripeArray,
    mirrorArray,
    joined: isMemberOf(mirrorArray, stripeArray?.name),
    sizeBytes: own.reduce((s, c) => s + c.sizeBytes, 0),
  };
}

/** sde + 1 -> sde1; nvme0n1 + 1 -> nvme0n1p1 (kernel naming). */
export function partitionName(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

/** Sets with at least one member present, in config order. */
export function presentSets(cfg: Config, facts: Facts): SetPresence[] {
  return cfg.sets.map((s) => setPresence(cfg, s, facts)).filter((p) => p.members.length > 0 || p.stripeArray);
}

/** md members that belong to nothing baysync knows and to no active array: logged, never touched. */
export function unknownMembers(cfg: Config, facts: Facts): Candidate[] {
  const known = new Set<string>([
    cfg.storage.top_mirror_uuid,
    ...cfg.sets.flatMap((s) => [s.stripe_uuid, s.mirror_uuid]),
  ]);
  if (cfg.root_mirror) known.add(cfg.root_mirror.uuid);
  const activeMembers = new Set(facts.arrays.flatMap((a) => a.members.map((m) => m.dev)));
  return facts.candidates.filter((c) => !known.has(c.examine.uuid) && !activeMembers.has(c.dev));
}

/**
 * Invariant 1: the internal half is the authority. The mirror must be active, writable, and
 * have at least one in-sync member that is not the external stripe; nothing may be resyncing
 * it from elsewhere. Returns undefined when healthy, else the reason.
 */
export function internalHalfProblem(
  mirror: MdArrayState | undefined,
  stripeName: string | undefined,
): string | undefined {
  if (!mirror) return 'the degraded mirror is not active (is the internal stripe assembled?)';
  if (!mirror.active || mirror.readonly) return `mirror ${mirror.name} is not active read-write`;
  const internal = mirror.members.filter(
    (m) => m.dev !== stripeName && m.state.includes('in_sync') && !m.state.includes('faulty'),
  );
  if (internal.length === 0) return `mirror ${mirror.name} has no in-sync internal member`;
  const foreign = mirror.members.filter((m) => m.dev !== stripeName && !m.state.includes('in_sync'));
  if (foreign.length > 0)
    return `mirror ${mirror.name} has other members rebuilding or spare (${foreign.map((m) => m.dev).join(', ')}); finish that first`;
  return undefined;
}

/** The set's mirror must be an in-sync member of the top mirror (the pool): otherwise the pool
 *  runs without it (after a power cut md may start the top mirror on the other half alone),
 *  its content is stale, and a copy of it is not a copy of the pool. */
export function topMirrorProblem(cfg: Config, facts: Facts, mirror: MdArrayState | undefined): string | undefined {
  const top = activeArrayByUuid(facts, cfg.storage.top_mirror_uuid);
  if (!top || !mirror) return undefined;
  const m = top.members.find((x) => x.dev === mirror.name);
  if (m?.state.includes('in_sync') && !m.state.includes('faulty')) return undefined;
  return `mirror ${mirror.name} is not an in-sync member of the top mirror ${top.name} (${m ? m.state.join(',') : 'absent'}): the pool runs without it and a copy of it would be stale. Re-add it (mdadm /dev/${top.name} --re-add /dev/${mirror.name}, or --add), let ${top.name} resync, then rotate`;
}

/** What is wrong, without the remedy: the problem text up to its first colon. */
export function problemHeadline(problem: string): string {
  return problem.split(':')[0]!;
}

/** Every configured set's mirror that is active but not an in-sync member of the top mirror. */
export function poolProblems(cfg: Config, facts: Facts): string[] {
  return cfg.sets
    .map((s) => topMirrorProblem(cfg, facts, activeArrayByUuid(facts, s.mirror_uuid)))
    .filter((x): x is string => x !== undefined);
}

/** Invariant 4 (md side): clean means no sync running, not degraded, the stripe in sync. */
export function mirrorClean(mirror: MdArrayState | undefined, stripeName: string | undefined): boolean {
  if (!mirror || !stripeName) return false;
  const m = mirror.members.find((x) => x.dev === stripeName);
  return (
    (mirror.syncAction ?? 'idle') === 'idle' && (mirror.degraded ?? 1) === 0 && Boolean(m?.state.includes('in_sync'))
  );
}

/** The root mirror is clean for the given partitions (all in sync, nothing running). */
export function rootMirrorClean(root: MdArrayState | undefined, parts: string[]): boolean {
  if (!root || parts.length === 0) return true;
  if ((root.syncAction ?? 'idle') !== 'idle') return false;
  return parts.every((p) => root.members.some((m) => m.dev === p && m.state.includes('in_sync')));
}

/** Minimal size check before joining: the assembled stripe must hold the mirror's component. */
export function stripeTooSmall(stripe: MdArrayState | undefined, mirror: MdArrayState | undefined): string | undefined {
  if (!stripe?.sizeBytes || !mirror?.componentSizeKiB) return undefined;
  const need = mirror.componentSizeKiB * 1024;
  if (stripe.sizeBytes < need) {
    return `stripe ${stripe.name} holds ${stripe.sizeBytes} bytes but mirror ${mirror.name} needs ${need}; use larger drives for this set`;
  }
  return undefined;
}

/**
 * The set a rotation works on: its identity as recorded when the rotation started (the config
 * may have changed since), else as configured; a set known to neither matches no array.
 */
export function rotationSet(cfg: Config, r: Pick<RotationState, 'set' | 'stripeDevice' | 'setIdentity'>): SetConfig {
  const configured = cfg.sets.find((s) => s.name === r.set);
  return {
    name: r.set,
    stripe_device: r.stripeDevice,
    stripe_uuid: r.setIdentity?.stripeUuid ?? configured?.stripe_uuid ?? '',
    mirror_uuid: r.setIdentity?.mirrorUuid ?? configured?.mirror_uuid ?? '',
  };
}
