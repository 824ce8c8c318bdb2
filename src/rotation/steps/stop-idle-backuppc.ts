// Step stop-idle-backuppc (phase syncing): the seed's behaviour, BackupPC is stopped while the
// mirror syncs once no dump runs (stop_when_idle). Running dumps finish first (deferred).

import type { StepView } from '../../jobs/step.js';
import { backuppcOps } from '../../system/backuppc.js';
import { mirrorClean, rootMirrorClean } from '../detect.js';
import type { PlanCtx, RotationStep } from './context.js';

export const syncClean = (c: PlanCtx): boolean =>
  mirrorClean(c.mirror, c.stripeName) && rootMirrorClean(c.rootMirror, c.rootParts);

function view(c: PlanCtx): StepView {
  const st = c.facts.backuppc;
  if (c.did('stop-idle-backuppc') || c.r.backuppc?.stoppedForSync || c.detached || c.did('stop-backuppc'))
    return { status: 'done' };
  if (syncClean(c)) return { status: 'skipped', note: 'mirror already clean' };
  if (!st?.serviceActive) return { status: 'skipped', note: 'BackupPC not running' };
  if (st.runningDumps > 0)
    return { status: 'deferred', note: `${st.runningDumps} dump(s) still running; they finish first` };
  return { status: 'pending' };
}

export const stopIdleBackuppcStep: RotationStep = {
  id: 'stop-idle-backuppc',
  phase: 'syncing',
  applies: (c) => c.cfg.backuppc.enabled && c.cfg.backuppc.stop_when_idle,
  title: () => 'stop idle BackupPC to speed up the sync (seed behaviour)',
  status: view,
  ops: (c) => [backuppcOps.stop(c.cfg.backuppc)],
  run: async (c, exec, ops) => {
    c.r.backuppc!.stoppedForSync = c.iso();
    c.persist();
    c.log.info('no dump running: stopping BackupPC to speed up the sync');
    await exec(ops[0]!);
  },
};
