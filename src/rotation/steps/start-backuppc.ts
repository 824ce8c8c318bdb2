// Step start-backuppc (phase detaching): the end of BackupPC's detach window, measured from the
// persisted stop time. A BackupPC that was stopped before the rotation stays stopped (invariant 5).
import { backuppcOps } from '../../system/backuppc.js';
import type { PlanCtx, RotationStep } from './context.js';

const wasActive = (c: PlanCtx): boolean => c.r.backuppc?.serviceWasActive ?? true;

export const startBackuppcStep: RotationStep = {
  id: 'start-backuppc',
  phase: 'detaching',
  applies: (c) => c.cfg.backuppc.enabled,
  title: (c) => (wasActive(c) ? 'start BackupPC' : 'leave BackupPC stopped (it was stopped before the rotation)'),
  status: (c) => ({ status: c.did('start-backuppc') || !wasActive(c) ? 'done' : 'pending' }),
  ops: (c) =>
    c.r.backuppc?.serviceWasActive !== false && !c.facts.backuppc?.serviceActive
      ? [backuppcOps.start(c.cfg.backuppc)]
      : [],
  run: async (c, exec, ops) => {
    for (const op of ops) await exec(op);
    const stoppedAt = c.r.pauseWindow?.stoppedAt ?? c.iso();
    c.r.pauseWindow = { stoppedAt, startedAt: c.iso(), ms: c.nowMs() - Date.parse(stoppedAt) };
    c.log.info({ ms: c.r.pauseWindow.ms }, 'BackupPC detach window');
  },
};
