import { describe, expect, it } from 'vitest';
import { stopIdleBackuppcStep } from '../../../src/rotation/steps/stop-idle-backuppc.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, withStripe } from '../fixtures.js';

const syncing = () =>
  withStripe(
    baseFacts(),
    [
      ['md3', ['in_sync']],
      ['md8', []],
    ],
    { syncAction: 'recover', degraded: 1 },
  );

describe('step stop-idle-backuppc', () => {
  it('stops an idle BackupPC while the mirror syncs', () => {
    const c = planCtx({ done: ['check-set', 'join-mirror'] }, syncing());
    expect(stopIdleBackuppcStep.status(c)).toEqual({ status: 'pending' });
    expect(stopIdleBackuppcStep.ops!(c).map(renderOp)).toEqual(['systemctl stop -- backuppc.service']);
  });

  it('defers while dumps run: they finish first', () => {
    const c = planCtx({}, { ...syncing(), backuppc: { serviceActive: true, runningDumps: 2 } });
    expect(stopIdleBackuppcStep.status(c)).toMatchObject({ status: 'deferred', note: expect.stringMatching(/2 dump/) });
  });

  it('is skipped when the mirror is already clean', () => {
    const c = planCtx(
      { rootPartitions: [] },
      withStripe(
        baseFacts(),
        [
          ['md3', ['in_sync']],
          ['md8', ['in_sync']],
        ],
        { degraded: 0 },
      ),
    );
    expect(stopIdleBackuppcStep.status(c)).toMatchObject({ status: 'skipped', note: 'mirror already clean' });
  });
});
