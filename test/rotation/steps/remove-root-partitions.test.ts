import { describe, expect, it } from 'vitest';
import { removeRootPartitionsStep } from '../../../src/rotation/steps/remove-root-partitions.js';
import { renderOp } from '../../../src/system/op.js';
import { arr, baseFacts, H, planCtx } from '../fixtures.js';

describe('step remove-root-partitions', () => {
  it('syncs, then fails and removes the set root partitions still in the root mirror in one call', () => {
    const facts = baseFacts();
    facts.arrays = facts.arrays.map((a) =>
      a.name === 'md1'
        ? arr(
            'md1',
            H(1),
            [
              ['sda1', ['in_sync']],
              ['sde1', ['in_sync']],
            ],
            { raidDisks: 6 },
          )
        : a,
    );
    const ops = removeRootPartitionsStep.ops!(planCtx({}, facts)).filter((o) => !('fallback' in o && o.fallback));
    expect(ops.map(renderOp)).toEqual(['sync', 'mdadm /dev/md1 --fail /dev/sde1 --remove /dev/sde1']);
    expect(removeRootPartitionsStep.status(planCtx({}, facts))).toEqual({ status: 'pending' });
  });

  it('is done when none of them is in the root mirror', () => {
    expect(removeRootPartitionsStep.status(planCtx())).toEqual({ status: 'done' });
  });
});
