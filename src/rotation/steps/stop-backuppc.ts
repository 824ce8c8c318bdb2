// Step stop-backuppc (phase detaching): the start of BackupPC's detach window. The time is
// persisted before the stop so that the window is measured even across a crash.
import { backuppcOps } from '../../system/backuppc.js';
import type { RotationStep } from './context.js';

export const stopBackuppcStep: RotationStep = {
  id: 'stop-backuppc',
  phase: 'detaching',
  applies: (c) => c.cfg.backuppc.enabled,
  title: (c) =>
    c.facts.backuppc?.serviceActive
      ? 'stop BackupPC for the detach'
      : 'BackupPC already stopped: start the detach window',
  status: (c) => ({ status: c.did('stop-backuppc') || c.did('start-backuppc') ? 'done' : 'pending' }),
  ops: (c) => (c.facts.backuppc?.serviceActive ? [backuppcOps.stop(c.cfg.backuppc)] : []),
  run: async (c, exec, ops) => {
    c.r.pauseWindow = { stoppedAt: c.iso() };
    c.persist();
    for (const op of ops) await exec(op);
  },
};
