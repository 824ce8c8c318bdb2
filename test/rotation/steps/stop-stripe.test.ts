import { describe, expect, it } from 'vitest';
import { stopStripeStep } from '../../../src/rotation/steps/stop-stripe.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, withStripe } from '../fixtures.js';

describe('step stop-stripe', () => {
  it('stops the detached stripe while it runs', () => {
    expect(stopStripeStep.ops!(planCtx({}, withStripe(baseFacts()))).map(renderOp)).toEqual(['mdadm --stop /dev/md8']);
  });

  it('is done once thawed with the stripe gone', () => {
    expect(stopStripeStep.status(planCtx({ done: ['thaw'] }))).toEqual({ status: 'done' });
    expect(stopStripeStep.ops!(planCtx())).toEqual([]);
  });
});
