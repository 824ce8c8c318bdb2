import { describe, expect, it } from 'vitest';
import { joinMirrorStep } from '../../../src/rotation/steps/join-mirror.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, H, planCtx, recorded, withStripe } from '../fixtures.js';

const content = (uuid: string, partlyRecovered = false) => ({
  level: 'raid1',
  raidDevices: 2,
  uuid,
  partlyRecovered,
  raw: {},
});

describe('step join-mirror', () => {
  it('a new set (no superblock inside) is added', () => {
    expect(joinMirrorStep.ops!(planCtx({}, withStripe(baseFacts()))).map(renderOp)).toEqual([
      'mdadm /dev/md5 --add /dev/md8',
    ]);
  });

  it('a set that carries the mirror superblock is re-added into the bitmap, with the add as fallback (invariant 1)', () => {
    const c = planCtx({}, { ...withStripe(baseFacts()), stripeContent: content(H(5)) });
    expect(joinMirrorStep.ops!(c).map(renderOp)).toEqual([
      'mdadm /dev/md5 --re-add /dev/md8',
      '(if that fails) mdadm /dev/md5 --add /dev/md8',
    ]);
  });

  it('a partly recovered copy is wiped and added again in full', () => {
    const c = planCtx({}, { ...withStripe(baseFacts()), stripeContent: content(H(5), true) });
    expect(joinMirrorStep.ops!(c).map(renderOp)).toEqual([
      'mdadm --zero-superblock /dev/md8',
      'mdadm /dev/md5 --add /dev/md8',
    ]);
  });

  it('a refused re-add is a FULL recovery, said in the warnings', async () => {
    const c = planCtx({ expectReAdd: true }, { ...withStripe(baseFacts()), stripeContent: content(H(5)) });
    const r = recorded(c, (op) =>
      op.kind === 'run' && op.argv.includes('--re-add')
        ? { exitCode: 1, stderr: 'mdadm: --re-add for /dev/md8 to /dev/md5 is not possible' }
        : {},
    );
    await joinMirrorStep.run(r.ctx, r.exec, joinMirrorStep.ops!(c));
    expect(r.events).toEqual([
      'op: mdadm /dev/md5 --re-add /dev/md8',
      'op: (if that fails) mdadm /dev/md5 --add /dev/md8',
    ]);
    expect(r.ctx.r.joinMode).toBe('add');
    expect(r.ctx.r.warnings.join('\n')).toMatch(/FULL recovery/);
  });

  it('never writes a stripe that carries another array superblock', async () => {
    const c = planCtx({}, { ...withStripe(baseFacts()), stripeContent: content(H(9)) });
    const r = recorded(c);
    await expect(joinMirrorStep.run(r.ctx, r.exec, joinMirrorStep.ops!(c))).rejects.toThrow(/another array/);
    expect(r.events).toEqual([]);
  });
});
