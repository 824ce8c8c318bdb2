import { describe, expect, it } from 'vitest';
import { StepError } from '../../../src/rotation/errors.js';
import { removeStripeStep } from '../../../src/rotation/steps/remove-stripe.js';
import { baseFacts, planCtx, recorded, withStripe } from '../fixtures.js';

const joined = (extra = {}) =>
  withStripe(
    baseFacts(),
    [
      ['md3', ['in_sync']],
      ['md8', ['in_sync']],
    ],
    { degraded: 0, ...extra },
  );

describe('step remove-stripe (invariant 4)', () => {
  it('splits a clean mirror under a frozen pool in one mdadm call', async () => {
    const c = planCtx({ frozen: true }, joined());
    const r = recorded(c);
    await removeStripeStep.run(r.ctx, r.exec, removeStripeStep.ops!(c));
    expect(r.events).toEqual(['op: mdadm /dev/md5 --fail /dev/md8 --remove /dev/md8']);
  });

  it('refuses, running nothing, when the pool is not frozen', async () => {
    const c = planCtx({}, joined());
    const r = recorded(c);
    await expect(removeStripeStep.run(r.ctx, r.exec, removeStripeStep.ops!(c))).rejects.toBeInstanceOf(StepError);
    expect(r.events).toEqual([]);
  });

  it('refuses, running nothing, when the mirror is not clean', async () => {
    const c = planCtx({ frozen: true }, joined({ syncAction: 'recover' }));
    const r = recorded(c);
    await expect(removeStripeStep.run(r.ctx, r.exec, removeStripeStep.ops!(c))).rejects.toThrow(/not clean/);
    expect(r.events).toEqual([]);
  });
});
