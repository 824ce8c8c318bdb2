// What a daemon stop does to a rotation under way (issue 10: a stop while frozen left the pool
// frozen). Contract: called after the engine has stopped taking steps and the step under way has
// ended. A pool still frozen (or remounted read-only) is thawed; when the split has not happened
// yet, the record forgets the freeze, so a resumed rotation freezes again before it splits
// (invariant 4 holds across the restart). Everything else resumes from the record.
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import { fsOps } from '../system/fs.js';
import type { Adapters } from './adapters.js';
import type { RotationState } from './types.js';

export async function thawForStop(
  cfg: Config,
  a: Adapters,
  r: RotationState | undefined,
  log: Logger,
  persist: () => void,
): Promise<void> {
  if (!r || (!r.frozen && !r.remountedRo)) return;
  const mp = cfg.storage.mountpoint;
  try {
    if (r.frozen) await a.ops.exec(fsOps.thaw(mp));
    if (r.remountedRo) await a.ops.exec(fsOps.remount(mp, 'rw'));
  } catch (e) {
    log.error({ err: String(e) }, `stopping: cannot thaw ${mp}; thaw it by hand (fsfreeze --unfreeze ${mp})`);
    return;
  }
  r.frozen = false;
  r.remountedRo = false;
  if (!r.done.includes('remove-stripe')) r.done = r.done.filter((d) => d !== 'freeze');
  persist();
  log.warn(
    { set: r.set, phase: r.phase },
    `stopping while ${mp} was quiesced for the detach: thawed; the rotation resumes from its record at the next start`,
  );
}
