// The snapshot-copy job's plan (issue 13): from the config, what the copy remembers and the
// facts read from the system, either a refusal with what to do, or the steps of one run with the
// exact operations each runs (`baysync copy run --plan` prints them; the executor, job-run.ts,
// runs exactly those). Contract: pure; operands from the config come after `--`.
import type { CopyConfig } from '../config/copy.js';
import { dmNode, type LvRef, lvmOps } from '../system/lvm.js';
import { type Op, run } from '../system/op.js';
import { isOpen, type Lv } from '../system/parsers/lvs.js';
import type { MountEntry } from '../system/parsers/mountinfo.js';
import { sshOptions } from '../system/ssh.js';
import { type Owned, planSnapshot, type SnapshotMemory, type SnapshotPlan } from './snapshot.js';

export interface CopyFacts {
  /** The configured volume, when lvs found it. */
  origin?: Lv;
  /** LVM's reasons when it did not. */
  lvErrors: string[];
  /** The origin's device-mapper node as major:minor (undefined: not found). */
  originDev?: string;
  mounts: MountEntry[];
  owned: Owned[];
  /** Volumes tagged as baysync's that are not its snapshots of this volume: never touched. */
  strangers: Lv[];
}

export type CopyStepId = 'remove-stray' | 'config' | 'snapshot' | 'thin-delta' | 'transfer' | 'remove';

export interface CopyStep {
  id: CopyStepId;
  title: string;
  ops: Op[];
}

export interface CopyPlan {
  origin: LvRef;
  snapshot: SnapshotPlan;
  /** The snapshot's device, read by the transfer, and its size (the volume's). */
  device: string;
  volumeBytes: number;
  steps: CopyStep[];
  notes: string[];
}

export type CopyPlanResult = { refused: string } | { plan: CopyPlan };

export const refOf = (volume: string): LvRef => {
  const [vg, lv] = volume.split('/') as [string, string];
  return { vg, lv };
};

export function configSyncOp(c: CopyConfig): Op {
  const ssh = sshOptions({
    key: c.config_ssh_key,
    knownHosts: c.receiver.known_hosts,
    port: c.receiver.port,
    connectTimeoutSeconds: c.receiver.connect_timeout_seconds,
  });
  // The key's forced command on the secondary is rrsync on the configuration's backup
  // directory: the remote path below is relative to it, and nothing outside it can be written.
  return run(
    [
      'rsync',
      '--archive',
      '--delete',
      '--timeout=120',
      '-e',
      ssh.join(' '),
      '--',
      `${c.config_dir.replace(/\/*$/, '/')}`,
      `${c.receiver.user}@${c.receiver.host}:`,
    ],
    600_000,
  );
}

export function planCopy(c: CopyConfig, mem: SnapshotMemory, f: CopyFacts): CopyPlanResult {
  if (!c.volume) return { refused: 'copy.volume is not set: nothing to snapshot (see baysync.toml(5))' };
  const ref = refOf(c.volume);
  if (!f.origin)
    return {
      refused: `the volume ${c.volume} was not found (${f.lvErrors.join('; ') || 'not in the lvs report'}); check copy.volume against \`lvs\``,
    };
  const mount = f.mounts.find((m) => m.mountpoint === c.pool_mountpoint);
  if (!mount || !isOpen(f.origin) || mount.dev !== f.originDev)
    return {
      refused: `the volume ${c.volume} does not hold the mounted pool: ${
        mount
          ? `${c.pool_mountpoint} is mounted from ${mount.source} (${mount.dev})`
          : `nothing is mounted on ${c.pool_mountpoint}`
      }; check copy.volume and copy.pool_mountpoint`,
    };
  const snapshot = planSnapshot(f.origin, f.owned, mem, c.snapshot_size);
  const notes = [
    ...snapshot.notes,
    ...f.strangers.map(
      (l) => `${l.vg}/${l.name} carries baysync's tag but is not one of its snapshots of ${c.volume}: left alone`,
    ),
  ];
  const steps: CopyStep[] = [];
  if (snapshot.remove.length)
    steps.push({ id: 'remove-stray', title: "remove baysync's snapshots no run needs", ops: snapshot.remove });
  steps.push({
    id: 'config',
    title: `copy ${c.config_dir} to the secondary's configuration backup`,
    ops: [configSyncOp(c)],
  });
  steps.push({
    id: 'snapshot',
    title: snapshot.create
      ? `take the ${snapshot.kind} snapshot ${ref.vg}/${snapshot.name}`
      : `resume on the snapshot ${ref.vg}/${snapshot.name}`,
    ops: snapshot.create ? [snapshot.create] : [],
  });
  // thin_delta names both thin devices by id: planned once the new snapshot exists (the
  // executor plans again after the snapshot step).
  const current = snapshot.current;
  if (snapshot.base && !current) notes.push(`then: the blocks changed since ${snapshot.base.lv.name} (thin_delta)`);
  if (snapshot.base?.lv.thinId !== undefined && current?.lv.thinId !== undefined && f.origin.pool) {
    const pool = f.origin.pool;
    steps.push({
      id: 'thin-delta',
      title: `list the blocks changed since ${snapshot.base.lv.name} (thin_delta)`,
      ops: [
        lvmOps.reserveMetadataSnap(ref.vg, pool),
        lvmOps.thinDelta(ref.vg, pool, snapshot.base.lv.thinId, current.lv.thinId),
        lvmOps.releaseMetadataSnap(ref.vg, pool, { mayFail: true }),
      ],
    });
  }
  const device = dmNode(ref.vg, snapshot.name);
  steps.push({
    id: 'transfer',
    title: `send ${device} to ${c.receiver.host} over ${c.transport}, only the chunks that differ`,
    ops: [],
  });
  return { plan: { origin: ref, snapshot, device, volumeBytes: f.origin.bytes, steps, notes } };
}
