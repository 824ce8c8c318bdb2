// Facts gathering: the one place the rotation reads the system (md arrays from /proc and
// sysfs, md superblocks with mdadm --examine, BackupPC state, the pool mount). Contract: read
// only, never changes anything; returns plain data for the pure planner.

import { join } from 'node:path';
import type { RotationConfig as Config } from '../config/schema.js';
import type { Adapters } from './adapters.js';
import { rotationSet } from './detect.js';
import type { Candidate, Facts, RotationState } from './types.js';

export async function gatherFacts(cfg: Config, a: Adapters, rotation?: RotationState): Promise<Facts> {
  // BackupPC matters from the pause on (and for aborts); before that, and with no rotation,
  // it is not read. Its one process (systemctl is-active) runs during the sysfs reads below.
  const early =
    !rotation ||
    (['checking', 'assembling', 'joining'].includes(rotation.phase) && !rotation.done.includes('join-mirror'));
  const bpc =
    cfg.backuppc.enabled && !early ? Promise.all([a.backuppc.serviceActive(), a.backuppc.runningDumps()]) : undefined;
  bpc?.catch(() => undefined); // awaited below; not an unhandled rejection if a read throws first
  const arrays = await a.md.listArrays();
  const devices = await a.block.list();
  const hasChildren = new Set(devices.filter((d) => d.parent).map((d) => d.parent!));
  const candidates: Candidate[] = [];
  const blankPartitions: Facts['blankPartitions'] = [];
  const probed = devices.filter((d) => !(d.type === 'disk' && hasChildren.has(d.name)) && d.sizeBytes > 0);
  const examined = await Promise.all(probed.map((d) => a.md.probe(d.name, d.sizeBytes)));
  for (const [i, d] of probed.entries()) {
    const ex = examined[i];
    if (ex)
      candidates.push({
        dev: d.name,
        disk: d.type === 'part' && d.parent ? d.parent : d.name,
        sizeBytes: d.sizeBytes,
        examine: ex,
      });
    else if (d.type === 'part' && d.parent)
      blankPartitions.push({ dev: d.name, disk: d.parent, sizeBytes: d.sizeBytes });
  }
  let stripeContent: Facts['stripeContent'];
  if (rotation) {
    const set = rotationSet(cfg, rotation);
    const stripe = arrays.find((x) => x.active && x.uuid === set.stripe_uuid);
    if (stripe) stripeContent = (await a.md.probe(stripe.name, stripe.sizeBytes ?? 0)) ?? null;
  }
  const b = await bpc;
  const backuppc: Facts['backuppc'] = b && { serviceActive: b[0], runningDumps: b[1] };
  // While verifying, and in an abort that may follow it: the copy's mount and offset.
  const copy =
    rotation && ['verifying', 'aborting'].includes(rotation.phase)
      ? await copyFacts(cfg, a, rotation, arrays)
      : undefined;
  return {
    arrays,
    candidates,
    blankPartitions,
    backuppc,
    stripeContent,
    mountpointMounted: await a.fs.isMounted(cfg.storage.mountpoint, cfg.paths.proc),
    ...(copy ? { copy } : {}),
  };
}

/** While verifying: a verification mount left behind, and where the filesystem starts in the read-only stripe. */
async function copyFacts(
  cfg: Config,
  a: Adapters,
  r: RotationState,
  arrays: Facts['arrays'],
): Promise<NonNullable<Facts['copy']>> {
  const set = rotationSet(cfg, r);
  const stripe = arrays.find((x) => x.active && x.readonly && x.uuid === set.stripe_uuid);
  const dataOffset =
    stripe && set
      ? await a.md.nestedDataOffset(stripe.name, [set.mirror_uuid, cfg.storage.top_mirror_uuid])
      : undefined;
  return {
    mounted: await a.fs.isMounted(join(cfg.paths.verify_dir, r.set), cfg.paths.proc),
    dataOffset,
    fs: stripe && dataOffset !== undefined ? await a.halves.fsAt(stripe.name, dataOffset) : undefined,
    loops: stripe ? await a.fs.loopsOf(stripe.name) : [],
  };
}
