// Step enable-dumps (phase detaching): the BackupPC include gets back the content it had before
// the rotation (invariant 5), before BackupPC starts again (a fresh start reads it: no reload
// race); a server already running reloads.

import { backuppcOps, enableLine } from '../../system/backuppc.js';
import type { Op } from '../../system/op.js';
import { doneOnceRecorded, type PlanCtx, type RotationStep } from './context.js';

/** Restore the include; reload when the server runs (`running`: as the facts say, or as it will). */
export function restoreControlOps(c: PlanCtx, running: boolean): Op[] {
  return [
    backuppcOps.writeControl(c.cfg.backuppc, c.r.backuppc?.controlBefore ?? enableLine),
    ...(running ? [backuppcOps.reload(c.cfg.backuppc)] : []),
  ];
}

export const enableDumpsStep: RotationStep = {
  id: 'enable-dumps',
  phase: 'detaching',
  applies: (c) => c.cfg.backuppc.enabled,
  title: () => 'restore the BackupPC control include',
  status: doneOnceRecorded('enable-dumps'),
  ops: (c) => restoreControlOps(c, c.facts.backuppc?.serviceActive ?? false),
  run: async (c, exec, ops) => {
    await exec(ops[0]!);
    // A reload failure here is the same as before the rotation: the server reads it at its next start.
    if (ops[1]) {
      const res = await exec(ops[1]);
      if (res.exitCode !== 0)
        c.log.warn({ err: res.stderr.trim() }, 'BackupPC reload failed after restoring the include');
    }
  },
};
