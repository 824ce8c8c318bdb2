import { describe, expect, it } from 'vitest';
import { startBackuppcStep } from '../../../src/rotation/steps/start-backuppc.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded } from '../fixtures.js';

const stopped = { ...baseFacts(), backuppc: { serviceActive: false, runningDumps: 0 } };

describe('step start-backuppc (invariant 5)', () => {
  it('starts a BackupPC that ran before and measures the detach window', async () => {
    const c = planCtx(
      {
        backuppc: { controlBefore: null, serviceWasActive: true },
        pauseWindow: { stoppedAt: '2026-11-22T00:59:54.000Z' },
      },
      stopped,
    );
    expect(startBackuppcStep.ops!(c).map(renderOp)).toEqual(['systemctl start -- backuppc.service']);
    const r = recorded(c);
    await startBackuppcStep.run(r.ctx, r.exec, startBackuppcStep.ops!(c));
    expect(r.ctx.r.pauseWindow?.ms).toBe(6000);
  });

  it('leaves a BackupPC stopped that was stopped before the rotation', () => {
    const c = planCtx({ backuppc: { controlBefore: null, serviceWasActive: false } }, stopped);
    expect(startBackuppcStep.status(c)).toEqual({ status: 'done' });
    expect(startBackuppcStep.ops!(c)).toEqual([]);
  });
});
