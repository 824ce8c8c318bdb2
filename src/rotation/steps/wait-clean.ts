// Step wait-clean (phase syncing): wait until the mirror is clean and, as the seed's
// check-and-finish did, until running BackupPC dumps have finished (new ones are disabled).
// Contract: it waits; the daemon's `mdadm --wait` and progress reads wake the job. One action:
// a mirror left `frozen` by an mdadm killed during the join (systemd kills the child with the
// daemon) never starts its recovery, so it is let go: the set's mirror (found in the lab) and
// the root mirror (an mdadm --add of a root partition killed: found in the lab too).

import type { MdArrayState } from '../../system/md.js';
import { mdOps } from '../../system/md-ops.js';
import type { PlanCtx, RotationStep } from './context.js';
import { syncClean } from './stop-idle-backuppc.js';

function syncNote(c: PlanCtx): string {
  const m = c.mirror;
  if (!m) return 'mirror not active';
  const p = m.syncCompleted;
  if (p && p.total > 0) return `${m.syncAction ?? 'sync'} ${((100 * p.done) / p.total).toFixed(1)}%`;
  return `${m.syncAction ?? 'sync'} pending`;
}

/** The rotation's mirrors (the set's, the root mirror) left frozen by an interrupted mdadm. */
const frozen = (c: PlanCtx): MdArrayState[] =>
  [c.mirror, c.rootParts.length ? c.rootMirror : undefined].filter(
    (m): m is MdArrayState => m?.syncAction === 'frozen',
  );

export const waitCleanStep: RotationStep = {
  id: 'wait-clean',
  phase: 'syncing',
  title: (c) => `wait for ${c.mirrorName} to be clean and running dumps to finish`,
  status: (c) => {
    const dumps = c.cfg.backuppc.enabled ? (c.facts.backuppc?.runningDumps ?? 0) : 0;
    const clean = syncClean(c);
    if (c.did('wait-clean') || c.detached || (clean && dumps === 0)) return { status: 'done' };
    const stuck = frozen(c);
    if (stuck.length)
      return { status: 'pending', note: `${stuck.map((m) => m.name).join(', ')} left frozen by an interrupted mdadm` };
    return {
      status: 'waiting',
      note: !clean ? syncNote(c) : `${dumps} BackupPC dump(s) still running; the detach waits for them`,
    };
  },
  ops: (c) => frozen(c).map((m) => mdOps.unfreeze(c.cfg.paths.sysfs, m.name)),
  run: async (c, exec, ops) => {
    const names = frozen(c).map((m) => m.name);
    c.log.warn(
      { mirrors: names },
      `${names.join(', ')} left frozen by an interrupted mdadm; letting the recovery start`,
    );
    for (const op of ops) await exec(op);
    return 'again';
  },
};
