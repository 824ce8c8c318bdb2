// Step disable-dumps (phase pausing): BackupPC starts no new dumps. Its state before the
// rotation (the include's content, whether the service ran) is persisted before it is touched
// (invariant 5); the include gets baysync's marked disable line and a running server reloads.
// A reload that fails is a warning: new dumps only slow the sync, and the detach stops BackupPC.
import { backuppcOps, disableLine, disableMarker } from '../../system/backuppc.js';
import { doneOnceRecorded, type RotationStep } from './context.js';

export const disableDumpsStep: RotationStep = {
  id: 'disable-dumps',
  phase: 'pausing',
  applies: (c) => c.cfg.backuppc.enabled,
  title: (c) => `pause BackupPC: ${c.cfg.backuppc.control_include} gets $Conf{BackupsDisable} = 2, server reload`,
  status: doneOnceRecorded('disable-dumps'),
  ops: (c) => [
    backuppcOps.writeControl(c.cfg.backuppc, disableLine),
    ...(c.facts.backuppc?.serviceActive ? [backuppcOps.reload(c.cfg.backuppc)] : []),
  ],
  run: async (c, exec, ops) => {
    if (!c.r.backuppc) {
      const before = c.a.backuppc.readControl();
      c.r.backuppc = {
        controlBefore: before?.includes(disableMarker) ? null : (before ?? null),
        serviceWasActive: c.facts.backuppc?.serviceActive ?? false,
      };
      c.persist(); // invariant 5: the record is on disk before BackupPC is touched
    }
    await exec(ops[0]!);
    if (ops[1]) {
      const res = await exec(ops[1]);
      if (res.exitCode !== 0) {
        const msg = `BackupPC did not take the reload (${res.stderr.trim() || `exit ${res.exitCode}`}); new dumps may still start until it restarts`;
        c.log.warn(msg);
        c.r.warnings.push(msg);
      }
    }
  },
};
