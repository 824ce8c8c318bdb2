import { describe, expect, it } from 'vitest';
import { waitCleanStep } from '../../../src/rotation/steps/wait-clean.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded, withStripe } from '../fixtures.js';

describe('step wait-clean', () => {
  it('waits with the recovery progress, and is done when the mirror is clean and no dump runs', () => {
    const syncing = withStripe(
      baseFacts(),
      [
        ['md3', ['in_sync']],
        ['md8', []],
      ],
      { syncAction: 'recover', degraded: 1, syncCompleted: { done: 25, total: 100 } },
    );
    expect(waitCleanStep.status(planCtx({}, syncing))).toEqual({ status: 'waiting', note: 'recover 25.0%' });
    const clean = withStripe(
      baseFacts(),
      [
        ['md3', ['in_sync']],
        ['md8', ['in_sync']],
      ],
      { degraded: 0 },
    );
    expect(waitCleanStep.status(planCtx({ rootPartitions: [] }, clean))).toEqual({ status: 'done' });
    expect(
      waitCleanStep.status(
        planCtx({ rootPartitions: [] }, { ...clean, backuppc: { serviceActive: true, runningDumps: 1 } }),
      ),
    ).toMatchObject({ status: 'waiting' });
  });

  it('lets go a mirror left frozen by an interrupted mdadm, then waits again', async () => {
    const c = planCtx(
      {},
      withStripe(
        baseFacts(),
        [
          ['md3', ['in_sync']],
          ['md8', []],
        ],
        { syncAction: 'frozen', degraded: 1 },
      ),
    );
    expect(waitCleanStep.status(c).status).toBe('pending');
    const ops = waitCleanStep.ops!(c);
    expect(ops.map(renderOp)).toEqual(['echo idle > /sys/block/md5/md/sync_action']);
    const r = recorded(c);
    expect(await waitCleanStep.run(r.ctx, r.exec, ops)).toBe('again');
  });

  it('lets go the root mirror too when an mdadm --add of a root partition was killed (found in the lab)', () => {
    const f = withStripe(
      baseFacts(),
      [
        ['md3', ['in_sync']],
        ['md8', ['in_sync']],
      ],
      { degraded: 0 },
    );
    const md1 = f.arrays.find((a) => a.name === 'md1')!;
    const facts = { ...f, arrays: f.arrays.map((a) => (a === md1 ? { ...a, syncAction: 'frozen' } : a)) };
    const c = planCtx({}, facts);
    expect(waitCleanStep.status(c)).toEqual({ status: 'pending', note: 'md1 left frozen by an interrupted mdadm' });
    expect(waitCleanStep.ops!(c).map(renderOp)).toEqual(['echo idle > /sys/block/md1/md/sync_action']);
  });
});
