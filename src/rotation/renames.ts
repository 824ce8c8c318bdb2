// A rotation's members under the names the kernel gives them now. A reboot mid-rotation can
// rename disks (the Debian 13 lab guest, after a hard reset, named set A's disks sdd and sde and
// the internal disk sdf; the resumed rotation then assembled with the old names and met an
// internal partition). Each member's md superblock keeps its own device UUID, so the record's
// names are followed by that UUID. Contract: pure over the facts; changes only names of the
// record's refs, by UUID; a root partition recorded blank (no UUID yet) follows its disk's
// rename, learnt from the stripe members on the same disk; returns what changed, for the journal.
import type { Logger } from 'pino';
import type { Facts, MemberRef, RotationState } from './types.js';

export function followRenames(r: RotationState, facts: Facts): string[] {
  const byUuid = new Map(facts.candidates.filter((c) => c.examine.devUuid).map((c) => [c.examine.devUuid!, c]));
  const disks = new Map<string, string>();
  const said: string[] = [];
  const rename = (m: MemberRef, dev: string, disk: string): void => {
    said.push(`${m.dev} is now ${dev}`);
    if (m.disk !== disk) disks.set(m.disk, disk);
    m.dev = dev;
    m.disk = disk;
  };
  for (const m of [...r.members, ...r.rootPartitions]) {
    const c = m.devUuid ? byUuid.get(m.devUuid) : undefined;
    if (c && c.dev !== m.dev) rename(m, c.dev, c.disk);
  }
  for (const m of r.rootPartitions) {
    const disk = m.devUuid ? undefined : disks.get(m.disk);
    if (disk && m.dev.startsWith(m.disk)) rename(m, disk + m.dev.slice(m.disk.length), disk);
  }
  return said;
}

/** followRenames, said in the journal; true when the record changed (the caller saves it). */
export function noteRenames(r: RotationState, facts: Facts, log: Pick<Logger, 'warn'>): boolean {
  const renamed = followRenames(r, facts);
  if (renamed.length)
    log.warn({ set: r.set, renamed }, `device names changed since the rotation began: ${renamed.join(', ')}`);
  return renamed.length > 0;
}
