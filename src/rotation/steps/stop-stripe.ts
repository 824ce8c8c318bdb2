// Step stop-stripe (phase detaching): the detached stripe is stopped; from here the copy is only
// ever read (invariant 3).
import { mdOps } from '../../system/md-ops.js';
import type { RotationStep } from './context.js';

export const stopStripeStep: RotationStep = {
  id: 'stop-stripe',
  phase: 'detaching',
  title: (c) => `stop stripe ${c.stripeName}`,
  status: (c) => ({ status: c.did('stop-stripe') || (c.did('thaw') && !c.stripe) ? 'done' : 'pending' }),
  ops: (c) => (c.stripe ? [mdOps.stop(c.stripe.name, c.cfg.paths.sysfs)] : []),
  run: async (c, exec, ops) => {
    for (const op of ops) await exec(op);
    c.a.md.forgetAssembled(c.stripeName);
  },
};
