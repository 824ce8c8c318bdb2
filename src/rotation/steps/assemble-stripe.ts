// Step assemble-stripe (phase assembling): assemble the set's stripe explicitly by UUID from its
// members (invariant 2: never --scan). An inactive, half-assembled array that holds a member
// (udev incremental) is stopped first, or the assembly would fail.
import { mdOps } from '../../system/md-ops.js';
import type { RotationStep } from './context.js';

export const assembleStripeStep: RotationStep = {
  id: 'assemble-stripe',
  phase: 'assembling',
  title: (c) => `assemble stripe ${c.r.stripeDevice} by UUID from ${c.r.members.map((m) => m.dev).join(', ')}`,
  status: (c) => ({ status: c.stripe || c.did('stop-stripe') || c.detached ? 'done' : 'pending' }),
  ops: (c) =>
    !c.set.stripe_uuid
      ? []
      : [
          ...c.facts.arrays
            .filter(
              (x) =>
                (!x.active || x.arrayState === 'inactive') &&
                x.members.some((m) => c.r.members.some((rm) => rm.dev === m.dev)),
            )
            .map((x) => mdOps.stop(x.name, c.cfg.paths.sysfs)),
          mdOps.assemble(
            c.r.stripeDevice,
            c.set.stripe_uuid,
            c.r.members.map((m) => m.dev),
          ),
        ],
  run: async (c, exec, ops) => {
    for (const op of ops) {
      if (op.kind === 'run' && op.argv[1] === '--stop')
        c.log.warn({ array: op.argv[2] }, `stopping inactive ${op.argv[2]} that holds members of set ${c.r.set}`);
      await exec(op);
    }
    c.a.md.noteAssembled(
      c.r.stripeDevice,
      c.set.stripe_uuid,
      c.r.members.map((m) => m.dev),
    );
  },
};
