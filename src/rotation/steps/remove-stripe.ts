// Step remove-stripe (phase detaching): the split. Invariant 4: only a clean mirror under a
// quiesced filesystem is split; md's array_state must turn clean and the internal half's bitmap
// must be flushed (bounded waits), or the next re-add would resync chunks again (seen in the lab).
import type { MdAdapter } from '../../system/md.js';
import { mdOps } from '../../system/md-ops.js';
import { mirrorClean } from '../detect.js';
import { StepError } from '../errors.js';
import type { RotationStep, RunCtx } from './context.js';
import { runFailAndRemove } from './fail-remove.js';

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** Wait (bounded) until md has marked the array clean: no writes in flight, bitmap flushed. */
async function waitArrayClean(c: RunCtx, name: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const s = await c.a.md.sysfsState(name);
    if (s.arrayState === 'clean' || s.arrayState === 'readonly' || s.arrayState === 'read-auto') return;
    await sleep(100);
  }
  c.log.warn(
    { array: name },
    'array did not report clean within 3 s after the freeze; detaching anyway (writes are quiesced)',
  );
}

/** md clears bitmap bits a few seconds after the writes reach every member. */
export async function waitBitmapClean(
  md: MdAdapter,
  dev: string,
  now: () => number,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const dirty = await md.bitmapDirtyBytes(dev);
    if (dirty === undefined || dirty === 0) return true;
    if (now() > deadline) return false;
    await sleep(250);
  }
}

export const removeStripeStep: RotationStep = {
  id: 'remove-stripe',
  phase: 'detaching',
  title: (c) => `fail and remove ${c.stripeName} from ${c.mirrorName} (only when clean, frozen and the bitmap flushed)`,
  status: (c) => ({ status: c.detached || (c.did('freeze') && !c.p.joined) ? 'done' : 'pending' }),
  ops: (c) => (c.mirror ? mdOps.failAndRemove(c.mirror.name, [c.stripeName]) : []),
  run: async (c, exec, ops) => {
    const { stripe, mirror, r } = c;
    if (!stripe || !mirror?.members.some((m) => m.dev === stripe.name)) return;
    if (!mirrorClean(mirror, stripe.name))
      throw new StepError(
        `${mirror.name} is not clean (sync_action ${mirror.syncAction}, degraded ${mirror.degraded}); not detaching`,
      );
    if (!r.frozen && !r.remountedRo) throw new StepError('the filesystem is not frozen; not detaching');
    await waitArrayClean(c, mirror.name);
    const internal = mirror.members.find((m) => m.dev !== stripe.name && m.state.includes('in_sync'));
    if (internal && !(await waitBitmapClean(c.a.md, internal.dev, c.nowMs))) {
      const msg = `the write-intent bitmap of ${mirror.name} still had dirty chunks after 15 s; the next rotation of set ${r.set} resyncs them again`;
      c.log.warn(msg);
      r.warnings.push(msg);
    }
    await runFailAndRemove(c, exec, ops, mirror.name);
  },
};
