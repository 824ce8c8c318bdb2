import { describe, expect, it } from 'vitest';
import { thawStep } from '../../../src/rotation/steps/thaw.js';
import { renderOp } from '../../../src/system/op.js';
import { planCtx, recorded } from '../fixtures.js';

describe('step thaw', () => {
  it('thaws what the record says was frozen and restores the bitmap period', () => {
    const c = planCtx({ frozen: true, bitmapTimeBase: { mirror: 'md5', seconds: 5 } });
    expect(thawStep.ops!(c).map(renderOp)).toEqual([
      'fsfreeze --unfreeze -- /var/lib/backuppc',
      '(if that fails) fsfreeze --unfreeze -- /var/lib/backuppc',
      'echo 5 > /sys/block/md5/md/bitmap/time_base',
    ]);
  });

  it('a pool that is not frozen any more (a thaw repeated after a crash) is fine', async () => {
    const c = planCtx({ frozen: true });
    const r = recorded(c, () => ({
      exitCode: 1,
      stderr: 'fsfreeze: /var/lib/backuppc: unfreeze failed: Invalid argument',
    }));
    await thawStep.run(r.ctx, r.exec, thawStep.ops!(c));
    expect(r.events.filter((e) => e.startsWith('op:'))).toEqual(['op: fsfreeze --unfreeze -- /var/lib/backuppc']);
    expect(r.ctx.r.frozen).toBe(false);
  });

  it('nothing to do when nothing was frozen', () => {
    expect(thawStep.ops!(planCtx())).toEqual([]);
  });
});
