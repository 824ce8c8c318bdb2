import { describe, expect, it } from 'vitest';
import { addRootPartitionsStep } from '../../../src/rotation/steps/add-root-partitions.js';
import { renderOp } from '../../../src/system/op.js';
import { planCtx, recorded } from '../fixtures.js';

describe('step add-root-partitions', () => {
  it('re-adds each root partition missing from the root mirror, with an add as fallback', () => {
    expect(addRootPartitionsStep.ops!(planCtx()).map(renderOp)).toEqual([
      'mdadm /dev/md1 --re-add /dev/sde1',
      '(if that fails) mdadm /dev/md1 --add /dev/sde1',
      'mdadm /dev/md1 --re-add /dev/sdf1',
      '(if that fails) mdadm /dev/md1 --add /dev/sdf1',
    ]);
  });

  it('adds only where md refused the re-add', async () => {
    const c = planCtx();
    const r = recorded(c, (op) =>
      op.kind === 'run' && op.argv.includes('/dev/sdf1') && op.argv.includes('--re-add') ? { exitCode: 1 } : {},
    );
    await addRootPartitionsStep.run(r.ctx, r.exec, addRootPartitionsStep.ops!(c));
    expect(r.events).toEqual([
      'op: mdadm /dev/md1 --re-add /dev/sde1',
      'op: mdadm /dev/md1 --re-add /dev/sdf1',
      'op: (if that fails) mdadm /dev/md1 --add /dev/sdf1',
    ]);
  });

  it('does not apply to a set without root partitions', () => {
    expect(addRootPartitionsStep.applies!(planCtx({ rootPartitions: [] }))).toBe(false);
  });
});
