// Step thaw (phase detaching), also the abort's first step: the pool is thawed (or remounted
// read-write) and md's bitmap period restored. Contract: idempotent; "not frozen" is fine.

import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import type { Op } from '../../system/op.js';
import type { Exec } from '../../system/op-runner.js';
import { doneOnceRecorded, type PlanCtx, type RotationStep, type RunCtx } from './context.js';

export function thawOps(c: PlanCtx): Op[] {
  const mp = c.cfg.storage.mountpoint;
  return [
    ...(c.r.frozen ? [fsOps.thaw(mp), fsOps.thaw(mp, true)] : []),
    ...(c.r.remountedRo ? [fsOps.remount(mp, 'rw')] : []),
    ...(c.r.bitmapTimeBase
      ? [mdOps.setBitmapTimeBase(c.cfg.paths.sysfs, c.r.bitmapTimeBase.mirror, c.r.bitmapTimeBase.seconds)]
      : []),
  ];
}

export async function runThaw(c: RunCtx, exec: Exec, ops: Op[]): Promise<void> {
  let i = 0;
  if (c.r.frozen) {
    const res = await exec(ops[i]!);
    if (res.exitCode !== 0 && !/Invalid argument|not frozen/i.test(res.stderr)) await exec(ops[i + 1]!);
    i += 2;
  }
  if (c.r.remountedRo) await exec(ops[i++]!);
  if (c.r.bitmapTimeBase) {
    const res = await exec(ops[i]!);
    if (res.exitCode !== 0) c.log.warn({ err: res.stderr }, 'cannot restore the bitmap period');
  }
  c.r.frozen = false;
  c.r.remountedRo = false;
  c.r.bitmapTimeBase = undefined;
  c.persist();
}

export const thawStep: RotationStep = {
  id: 'thaw',
  phase: 'detaching',
  title: (c) => `thaw ${c.cfg.storage.mountpoint}`,
  status: doneOnceRecorded('thaw'),
  ops: thawOps,
  run: runThaw,
};
