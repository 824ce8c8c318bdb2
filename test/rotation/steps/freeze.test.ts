import { describe, expect, it } from 'vitest';
import { freezeStep } from '../../../src/rotation/steps/freeze.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded, withStripe } from '../fixtures.js';

const clean = () =>
  withStripe(
    baseFacts(),
    [
      ['md3', ['in_sync']],
      ['md8', ['in_sync']],
    ],
    { degraded: 0, bitmapTimeBase: 5 },
  );

describe('step freeze', () => {
  it('shortens the bitmap period, then freezes the pool', () => {
    expect(freezeStep.ops!(planCtx({}, clean())).map(renderOp)).toEqual([
      'echo 1 > /sys/block/md5/md/bitmap/time_base',
      'fsfreeze --freeze -- /var/lib/backuppc',
    ]);
  });

  it('persists what it will have to undo before it does it (invariants 4 and 12)', async () => {
    const c = planCtx({}, clean());
    const r = recorded(c);
    await freezeStep.run(r.ctx, r.exec, freezeStep.ops!(c));
    const i = (re: RegExp) => r.events.findIndex((e) => re.test(e));
    expect(i(/^persist: .*"bitmapTimeBase":\{"mirror":"md5","seconds":5\}/)).toBeLessThan(i(/time_base/));
    expect(i(/^persist: .*"frozen":true/)).toBeLessThan(i(/^op: fsfreeze --freeze/));
  });

  it('remounts read-only and syncs when configured so', () => {
    const c = planCtx({}, clean());
    const ro = { ...c, cfg: { ...c.cfg, storage: { ...c.cfg.storage, freeze: 'remount-ro' as const } } };
    expect(freezeStep.ops!(ro).map(renderOp).slice(1)).toEqual(['mount -o remount,ro -- /var/lib/backuppc', 'sync']);
  });
});
