// `baysync verify --set X`: the verification steps (steps/verify-*.ts) run on their own for a
// detached set that is plugged in, outside a rotation, on a record that is never persisted.
// Contract: the same steps and operations as in a rotation; the read-only stripe is always
// stopped again, also when a step fails.
import type { RotationConfig as Config } from '../config/schema.js';
import { firstOpen, planSteps } from '../jobs/step.js';
import type { Adapters } from './adapters.js';
import { setPresence } from './detect.js';
import { gatherFacts } from './facts.js';
import { derive, type RunCtx } from './steps/context.js';
import { verifySteps } from './steps/index.js';
import type { Facts, PlannedStep, RotationState } from './types.js';
import type { VerifyResult } from './verify.js';

export async function runVerification(
  cfg: Config,
  a: Adapters,
  setName: string,
  detachedAt: string,
  ctxOf: (r: RotationState, facts: Facts) => RunCtx,
  onStep?: (s: PlannedStep) => void,
): Promise<VerifyResult> {
  const set = cfg.sets.find((s) => s.name === setName);
  if (!set) throw new Error(`set ${setName} is not configured`);
  const p = setPresence(cfg, set, await gatherFacts(cfg, a));
  if (p.joined) throw new Error(`set ${setName} is a member of its mirror; it cannot be verified while attached`);
  const r = { ...pseudo(set.name, set.stripe_device, detachedAt), members: p.members };
  const runNext = async (ids: string[]): Promise<boolean> => {
    const facts = await gatherFacts(cfg, a, r);
    const next = firstOpen(planSteps(verifySteps, derive(cfg, r, facts)).filter((s) => ids.includes(s.id)));
    if (!next) return false;
    onStep?.(next);
    const step = verifySteps.find((s) => s.id === next.id)!;
    if ((await step.run(ctxOf(r, facts), a.ops.forStep(next.ops), next.ops)) !== 'again') r.done.push(next.id);
    return true;
  };
  try {
    for (let guard = 0; guard < 10 && (await runNext(verifySteps.map((s) => s.id))); guard++);
  } catch (e) {
    await runNext(['verify-release']).catch(() => undefined);
    throw e;
  }
  return (
    r.verify ?? {
      ok: false,
      detail: 'the verification did not complete',
      sampled: 0,
      mismatched: [],
      markerFound: false,
    }
  );
}

function pseudo(set: string, stripeDevice: string, detachedAt: string): RotationState {
  return {
    id: 'verify',
    set,
    phase: 'verifying',
    startedAt: detachedAt,
    timeline: [{ phase: 'detaching', at: detachedAt }],
    members: [],
    rootPartitions: [],
    stripeDevice,
    done: [],
    warnings: [],
  };
}
