// Step add-root-partitions (phase joining): the set's root-mirror partitions join the root
// mirror, by re-add when md takes it, else by add. Contract: only partitions recorded at the
// check (the root mirror's own superblock, or none) are ever written.
import { mdOps } from '../../system/md-ops.js';
import { isMemberOf } from '../detect.js';
import { StepError } from '../errors.js';
import type { PlanCtx, RotationStep } from './context.js';

const missing = (c: PlanCtx): string[] => c.rootParts.filter((d) => !isMemberOf(c.rootMirror, d));

export const addRootPartitionsStep: RotationStep = {
  id: 'add-root-partitions',
  phase: 'joining',
  applies: (c) => Boolean(c.cfg.root_mirror && c.rootParts.length),
  title: (c) => `add root partitions ${c.rootParts.join(', ')} to ${c.rootMirror?.name ?? 'the root mirror'}`,
  status: (c) => ({ status: !missing(c).length || c.did('remove-root-partitions') || c.detached ? 'done' : 'pending' }),
  ops: (c) => {
    const root = c.rootMirror?.name;
    return root ? missing(c).flatMap((d) => [mdOps.reAdd(root, d), mdOps.add(root, d, true)]) : [];
  },
  run: async (c, exec, ops) => {
    if (!c.rootMirror) throw new StepError('the root mirror is not active');
    const devs = missing(c);
    for (let i = 0; i < ops.length; i += 2) {
      const re = await exec(ops[i]!);
      if (re.exitCode === 0) continue;
      c.log.info(
        { dev: devs[i / 2], why: re.stderr.trim() },
        `${devs[i / 2]} cannot be re-added to ${c.rootMirror.name}; adding it`,
      );
      await exec(ops[i + 1]!);
    }
  },
};
