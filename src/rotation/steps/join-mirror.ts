// Step join-mirror (phase joining): the stripe joins its degraded mirror (invariant 1). A set
// that rotated before is re-added into the write-intent bitmap; md refusing that means a FULL
// recovery, said in the log and the mail (or an abort when allow_full_recovery is off). A copy
// whose last recovery was interrupted is wiped and added again in full (found in the lab).
// A stripe carrying another array's superblock is never written.
import { formatBytes } from '../../jobs/progress.js';
import { mdOps } from '../../system/md-ops.js';
import { StepError } from '../errors.js';
import type { PlanCtx, RotationStep } from './context.js';

type Mode = 'restart' | 're-add' | 'add';
const mode = (c: PlanCtx): Mode =>
  c.facts.stripeContent?.partlyRecovered ? 'restart' : c.facts.stripeContent ? 're-add' : 'add';

export const joinMirrorStep: RotationStep = {
  id: 'join-mirror',
  phase: 'joining',
  title: (c) =>
    `join ${c.stripeName} to ${c.mirrorName} (${c.r.expectReAdd === false ? 'first copy: full recovery' : 're-add into the write-intent bitmap'})`,
  status: (c) => ({ status: c.p.joined || c.detached ? 'done' : 'pending' }),
  ops: (c) => {
    if (!c.mirror) return []; // nothing to join: run() refuses, the plan says why
    const m = mode(c);
    if (m === 'restart') return [mdOps.zeroSuperblock(c.stripeName), mdOps.add(c.mirrorName, c.stripeName)];
    if (m === 're-add') return [mdOps.reAdd(c.mirrorName, c.stripeName), mdOps.add(c.mirrorName, c.stripeName, true)];
    return [mdOps.add(c.mirrorName, c.stripeName)];
  },
  run: async (c, exec, ops) => {
    const { mirror, stripe, r, set } = c;
    if (!mirror) throw new StepError('the mirror is not active');
    if (!stripe) throw new StepError('the stripe is not assembled');
    if (mirror.members.some((m) => m.dev === stripe.name && !m.state.includes('faulty'))) return;
    const content = c.facts.stripeContent;
    if (content && content.uuid !== set.mirror_uuid)
      throw new StepError(
        `stripe ${stripe.name} carries another array's superblock (${content.uuid}); refusing to write it`,
      );
    const full = (mirror.componentSizeKiB ?? 0) * 1024 || undefined;
    const m = mode(c);
    if (m === 'restart') {
      const msg = `the copy on set ${r.set} was interrupted during its recovery; it is copied again in full`;
      c.log.warn({ set: r.set }, msg);
      r.warnings.push(msg);
      for (const op of ops) await exec(op);
      r.joinMode = 'add';
      r.resyncBytes = full;
      r.syncStartedAt = c.iso();
      return;
    }
    let joined: 're-add' | 'add' = 'add';
    if (m === 're-add') {
      // What a bitmap re-add will resync: the internal half's dirty bits (a full add copies all).
      const internal = mirror.members.find((x) => x.dev !== stripe.name && x.state.includes('in_sync'));
      const dirty = internal ? await c.a.md.bitmapDirtyBytes(internal.dev) : undefined;
      if (dirty !== undefined) r.resyncBytes = dirty;
      const re = await exec(ops[0]!);
      if (re.exitCode === 0) joined = 're-add';
      else {
        const msg = `md refused a bitmap re-add of ${stripe.name} into ${mirror.name} (${re.stderr.trim() || `exit ${re.exitCode}`}); a FULL recovery follows`;
        if (!c.cfg.policy.allow_full_recovery) throw new StepError(`${msg}; allow_full_recovery is off`);
        c.log.warn({ set: r.set }, msg);
        r.warnings.push(msg);
      }
    }
    if (joined === 'add') {
      if (r.expectReAdd) {
        const msg = `set ${r.set} rotated before, but md does a full recovery instead of a bitmap re-add (the bitmap no longer covers it)`;
        c.log.warn({ set: r.set }, msg);
        if (!r.warnings.includes(msg)) r.warnings.push(msg);
      }
      await exec(ops[ops.length - 1]!);
      r.resyncBytes = full;
    }
    r.joinMode = joined;
    r.syncStartedAt = c.iso();
    c.log.info(
      { set: r.set, mode: joined, resync: formatBytes(r.resyncBytes) },
      `${stripe.name} joined ${mirror.name} by ${joined}`,
    );
  },
};
