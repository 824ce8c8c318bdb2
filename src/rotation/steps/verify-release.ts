// Step verify-release (phase verifying): the read-only stripe is stopped after the verification,
// after any loop device a killed check left over it.
import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import type { RotationStep } from './context.js';

export const verifyReleaseStep: RotationStep = {
  id: 'verify-release',
  phase: 'verifying',
  title: (c) => `stop the read-only ${c.stripeName}`,
  status: (c) => ({ status: c.did('verify-release') || (c.r.verify && !c.stripe) ? 'done' : 'pending' }),
  ops: (c) =>
    c.stripe
      ? [...(c.facts.copy?.loops ?? []).map(fsOps.detachLoop), mdOps.stop(c.stripe.name, c.cfg.paths.sysfs)]
      : [],
  run: async (c, exec, ops) => {
    for (const op of ops) await exec(op);
    c.a.md.forgetAssembled(c.stripeName);
  },
};
