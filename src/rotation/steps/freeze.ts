// Step freeze (phase detaching): quiesce the pool (invariant 4) with fsfreeze, or a read-only
// remount and sync. md's bitmap period is shortened to 1 s first (restored at the thaw) so the
// bitmap is clean soon after the last write and the pool stays frozen only briefly. What must be
// undone is persisted before it is done.
import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import { doneOnceRecorded, type PlanCtx, type RotationStep } from './context.js';

const shortenBitmap = (c: PlanCtx): boolean =>
  Boolean(c.mirror && !c.r.bitmapTimeBase && (c.mirror.bitmapTimeBase ?? 0) > 1);

export const freezeStep: RotationStep = {
  id: 'freeze',
  phase: 'detaching',
  title: (c) => `quiesce ${c.cfg.storage.mountpoint} (${c.cfg.storage.freeze})`,
  status: doneOnceRecorded('freeze'),
  ops: (c) => [
    ...(shortenBitmap(c) ? [mdOps.setBitmapTimeBase(c.cfg.paths.sysfs, c.mirror!.name, 1)] : []),
    ...(c.cfg.storage.freeze === 'fsfreeze'
      ? [fsOps.freeze(c.cfg.storage.mountpoint)]
      : [fsOps.remount(c.cfg.storage.mountpoint, 'ro'), fsOps.sync()]),
  ],
  run: async (c, exec, ops) => {
    let rest = ops;
    if (shortenBitmap(c)) {
      c.r.bitmapTimeBase = { mirror: c.mirror!.name, seconds: c.mirror!.bitmapTimeBase! };
      c.persist();
      const res = await exec(ops[0]!);
      if (res.exitCode !== 0) c.log.warn({ err: res.stderr }, 'cannot shorten the bitmap period');
      rest = ops.slice(1);
    }
    if (c.cfg.storage.freeze === 'fsfreeze') c.r.frozen = true;
    else c.r.remountedRo = true;
    c.persist();
    for (const op of rest) await exec(op);
  },
};
