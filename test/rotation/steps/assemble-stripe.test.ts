import { describe, expect, it } from 'vitest';
import { assembleStripeStep } from '../../../src/rotation/steps/assemble-stripe.js';
import { renderOp } from '../../../src/system/op.js';
import { arr, baseFacts, H, planCtx, withStripe } from '../fixtures.js';

describe('step assemble-stripe', () => {
  it('assembles by UUID from the recorded members, never --scan (invariant 2)', () => {
    const ops = assembleStripeStep.ops!(planCtx()).map(renderOp);
    expect(ops).toEqual([
      'mdadm --assemble /dev/md8 --uuid=00000008:00000000:00000000:00000008 --run /dev/sde2 /dev/sdf2',
    ]);
    expect(ops.join(' ')).not.toContain('--scan');
  });

  it('first stops an inactive array that holds a member (udev incremental)', () => {
    const facts = baseFacts();
    facts.arrays.push(arr('md127', H(8), [['sde2', ['spare']]], { active: false, arrayState: 'inactive' }));
    expect(assembleStripeStep.ops!(planCtx({}, facts)).map(renderOp)[0]).toBe('mdadm --stop /dev/md127');
  });

  it('is done once the stripe runs', () => {
    expect(assembleStripeStep.status(planCtx({}, withStripe(baseFacts())))).toEqual({ status: 'done' });
    expect(assembleStripeStep.status(planCtx())).toEqual({ status: 'pending' });
  });
});
