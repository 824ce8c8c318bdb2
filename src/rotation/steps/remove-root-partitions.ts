// Step remove-root-partitions (phase detaching): the set's root partitions leave the root mirror
// first (the root filesystem is live anyway, as in the seed), after a sync, in one mdadm call.
import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import { isMemberOf } from '../detect.js';
import { type PlanCtx, type RotationStep, stillIn } from './context.js';
import { runFailAndRemove } from './fail-remove.js';

/** The ops that take the set's root partitions still in the root mirror out of it. */
export const rootPartitionsOut = (c: PlanCtx) =>
  c.rootMirror ? mdOps.failAndRemove(c.rootMirror.name, stillIn(c.rootMirror, c.rootParts)) : [];

export const removeRootPartitionsStep: RotationStep = {
  id: 'remove-root-partitions',
  phase: 'detaching',
  applies: (c) => Boolean(c.cfg.root_mirror && c.rootParts.length),
  title: (c) => `fail and remove ${c.rootParts.join(', ')} from the root mirror`,
  status: (c) => ({
    status:
      !c.rootParts.some((d) => isMemberOf(c.rootMirror, d)) || c.did('remove-root-partitions') ? 'done' : 'pending',
  }),
  ops: (c) => [fsOps.sync(), ...rootPartitionsOut(c)],
  run: async (c, exec, ops) => {
    await exec(ops[0]!);
    await runFailAndRemove(c, exec, ops.slice(1), c.rootMirror?.name);
  },
};
