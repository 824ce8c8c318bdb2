// Step verify-assemble (phase verifying): the detached stripe is assembled again, read-only
// (invariant 3), for the verification. Leftovers of an interrupted verification (the copy still
// mounted, the stripe running read-write) are cleared first. A set no longer plugged in
// completely cannot be verified: that is the verdict.
import { join } from 'node:path';
import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import type { PlanCtx, RotationStep } from './context.js';

export const verifyDir = (c: PlanCtx): string => join(c.cfg.paths.verify_dir, c.r.set);

export const verifyAssembleStep: RotationStep = {
  id: 'verify-assemble',
  phase: 'verifying',
  title: (c) => `assemble ${c.r.stripeDevice} read-only for the verification`,
  status: (c) => ({ status: c.r.verify || c.stripe?.readonly ? 'done' : 'pending' }),
  ops: (c) =>
    !c.set.stripe_uuid
      ? []
      : [
          ...(c.facts.copy?.mounted ? [fsOps.umount(verifyDir(c))] : []),
          ...(c.stripe && !c.stripe.readonly ? [mdOps.stop(c.stripe.name, c.cfg.paths.sysfs)] : []),
          mdOps.assemble(
            c.r.stripeDevice,
            c.set.stripe_uuid,
            c.p.members.map((m) => m.dev),
            { readonly: true },
          ),
        ],
  run: async (c, exec, ops) => {
    if (!c.p.complete) {
      c.r.verify = {
        ok: false,
        detail: 'the set is no longer plugged in completely',
        sampled: 0,
        mismatched: [],
        markerFound: false,
      };
      return;
    }
    for (const op of ops) await exec(op);
  },
};
