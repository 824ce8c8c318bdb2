// Step spin-down (phase spinning-down): the set's drives are stopped and detached so they are
// safe to pull. Not after a failed verification: the operator may want to inspect the drives.
import { spinDownOps, spinDownResult } from '../../system/power.js';
import { verifyOutcome } from '../verdict.js';
import type { PlanCtx, RotationStep } from './context.js';

const disks = (c: PlanCtx): string[] => [...new Set(c.r.members.map((m) => m.disk))];

export const spinDownStep: RotationStep = {
  id: 'spin-down',
  phase: 'spinning-down',
  title: (c) => `spin down ${disks(c).join(', ')} and detach them`,
  status: (c) => {
    if (c.r.spinDown) return { status: 'done' };
    if (c.r.verify && verifyOutcome(c.r.verify) === 'failed')
      return { status: 'skipped', note: 'verification failed: drives left running for inspection' };
    if (!c.cfg.policy.spin_down) return { status: 'skipped', note: 'disabled in policy' };
    return { status: 'pending' };
  },
  ops: (c) => c.p.disks.flatMap((d) => spinDownOps(c.cfg.paths.sysfs, d)),
  run: async (c, exec, ops) => {
    c.r.spinDown = [];
    for (let i = 0; i + 2 < ops.length; i += 3) {
      const disk = c.p.disks[i / 3]!;
      const [h, s, d] = [await exec(ops[i]!), await exec(ops[i + 1]!), await exec(ops[i + 2]!)];
      try {
        c.r.spinDown.push(spinDownResult(disk, h, s, d));
      } catch (e) {
        c.r.warnings.push(e instanceof Error ? e.message : String(e));
        c.r.spinDown.push({ disk, deleted: false });
      }
    }
  },
};
