import { describe, expect, it } from 'vitest';
import { spinDownStep } from '../../../src/rotation/steps/spin-down.js';
import { renderOp } from '../../../src/system/op.js';
import { planCtx, recorded } from '../fixtures.js';

describe('step spin-down', () => {
  it('sends both stop commands and deletes the device, for each disk of the set', async () => {
    const c = planCtx();
    expect(spinDownStep.ops!(c).map(renderOp)).toEqual([
      'hdparm -Y /dev/sde',
      'sdparm --command=stop /dev/sde',
      'echo 1 > /sys/block/sde/device/delete',
      'hdparm -Y /dev/sdf',
      'sdparm --command=stop /dev/sdf',
      'echo 1 > /sys/block/sdf/device/delete',
    ]);
    const r = recorded(c, (op) =>
      op.kind === 'run' && op.argv[0] === 'hdparm' ? { stderr: 'SG_IO: bad/missing sense data' } : {},
    );
    await spinDownStep.run(r.ctx, r.exec, spinDownStep.ops!(c));
    expect(r.ctx.r.spinDown).toEqual([
      { disk: 'sde', stoppedBy: 'sdparm', deleted: true },
      { disk: 'sdf', stoppedBy: 'sdparm', deleted: true },
    ]);
  });

  it('leaves the drives running after a failed verification', () => {
    const c = planCtx({ verify: { ok: false, detail: 'x', sampled: 1, mismatched: ['a'], markerFound: true } });
    expect(spinDownStep.status(c)).toMatchObject({ status: 'skipped', note: expect.stringMatching(/inspection/) });
  });
});
