// A set's root partitions taken into the root mirror behind baysync's back (issue 11, §3). They
// carry the root mirror's own UUID (the copy must boot alone), so `ARRAY <ignore>` cannot exclude
// them, and a boot with a set plugged in lets udev's incremental assembly add one to md1 as a
// spare (seen in the lab, scenario boot-with-set-plugged). md1 would then rebuild onto it at its
// first write and overwrite the set's copy of the root. Contract: at daemon start, every
// configured set's root partition found in the root mirror (any state) is failed and removed,
// unless the set's own rotation put it there and has not yet taken it out; each removal is
// logged and returned as a line for the operator. Nothing else is touched.
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import { mdOps } from '../system/md-ops.js';
import type { Adapters } from './adapters.js';
import { activeArrayByUuid, setPresence } from './detect.js';
import { gatherFacts } from './facts.js';
import type { RotationState } from './types.js';

export async function removeRootPartitionsTakenAtBoot(
  cfg: Config,
  a: Adapters,
  rotation: RotationState | undefined,
  log: Logger,
): Promise<string[]> {
  if (!cfg.root_mirror) return [];
  const facts = await gatherFacts(cfg, a);
  const root = activeArrayByUuid(facts, cfg.root_mirror.uuid);
  if (!root) return [];
  const out: string[] = [];
  for (const set of cfg.sets) {
    // The set's own rotation adds them (joining) and takes them out (detaching).
    if (rotation?.set === set.name && !rotation.done.includes('remove-root-partitions')) continue;
    const taken = setPresence(cfg, set, facts).rootPartitions.flatMap((p) => {
      const m = root.members.find((x) => x.dev === p.dev);
      return m ? [{ dev: p.dev, state: m.state.join(',') || 'unknown' }] : [];
    });
    if (!taken.length) continue;
    const error = await failAndRemove(
      a,
      root.name,
      taken.map((t) => t.dev),
    );
    const what = `${root.name} had taken set ${set.name}'s root partition${taken.length > 1 ? 's' : ''} ${taken.map((t) => `${t.dev} (${t.state})`).join(', ')} at boot`;
    const rebuilding = taken.some((t) => !t.state.includes('spare')) || root.syncAction === 'recover';
    const line = error
      ? `${what}, and baysync could not remove it (${error}): run \`mdadm /dev/${root.name} ${taken.map((t) => `--fail /dev/${t.dev} --remove /dev/${t.dev}`).join(' ')}\` before md rebuilds onto it`
      : `${what}; removed ${rebuilding ? "while md may have been rebuilding onto it: the set's copy of the root is whole again after its next rotation" : "before md rebuilt onto it: the set's copy of the root is as its last rotation left it"}`;
    const fields = { set: set.name, mirror: root.name, devices: taken.map((t) => t.dev) };
    if (error) log.error(fields, line);
    else log.warn(fields, line);
    out.push(line);
  }
  return out;
}

/** The one combined call, then each member alone; the error text when a member stays in. */
async function failAndRemove(a: Adapters, mirror: string, devs: string[]): Promise<string | undefined> {
  const [all, ...each] = mdOps.failAndRemove(mirror, devs);
  if (!all || (await a.ops.exec(all)).exitCode === 0) return;
  try {
    for (const op of each) await a.ops.exec(op);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
