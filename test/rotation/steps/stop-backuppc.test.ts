import { describe, expect, it } from 'vitest';
import { stopBackuppcStep } from '../../../src/rotation/steps/stop-backuppc.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded } from '../fixtures.js';

describe('step stop-backuppc', () => {
  it('persists the start of the detach window before it stops BackupPC', async () => {
    const c = planCtx();
    const r = recorded(c);
    await stopBackuppcStep.run(r.ctx, r.exec, stopBackuppcStep.ops!(c));
    expect(r.events).toEqual([
      expect.stringMatching(/^persist: .*"pauseWindow":\{"stoppedAt":"2026-11-22T01:00:00.000Z"\}/),
      'op: systemctl stop -- backuppc.service',
    ]);
  });

  it('a BackupPC already stopped (idle during the sync) only starts the window', () => {
    const c = planCtx({}, { ...baseFacts(), backuppc: { serviceActive: false, runningDumps: 0 } });
    expect(stopBackuppcStep.ops!(c).map(renderOp)).toEqual([]);
    expect(stopBackuppcStep.title(c)).toMatch(/already stopped/);
  });
});
