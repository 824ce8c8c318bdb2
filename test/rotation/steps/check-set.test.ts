import { describe, expect, it } from 'vitest';
import { StepError } from '../../../src/rotation/errors.js';
import { checkSetStep } from '../../../src/rotation/steps/check-set.js';
import { baseFacts, H, planCtx, recorded, withStripe } from '../fixtures.js';

describe('step check-set', () => {
  it('is pending for a complete set over a healthy internal half, and done once recorded', () => {
    expect(checkSetStep.status(planCtx())).toEqual({ status: 'pending' });
    expect(checkSetStep.status(planCtx({ done: ['check-set'] }))).toEqual({ status: 'done' });
  });

  it('waits while the set is incomplete', () => {
    const facts = baseFacts();
    facts.candidates = facts.candidates.filter((c) => c.dev !== 'sdf2');
    expect(checkSetStep.status(planCtx({}, facts))).toMatchObject({
      status: 'waiting',
      note: expect.stringMatching(/incomplete/),
    });
  });

  it('refuses, running nothing, a stripe that carries another array superblock (invariant 1)', async () => {
    const c = planCtx(
      {},
      { ...withStripe(baseFacts()), stripeContent: { level: 'raid1', raidDevices: 2, uuid: H(9), raw: {} } },
    );
    const r = recorded(c);
    await expect(checkSetStep.run(r.ctx, r.exec, [])).rejects.toBeInstanceOf(StepError);
    expect(r.events).toEqual([]);
  });

  it('records the members, root partitions and mirror it checked', async () => {
    const r = recorded(planCtx({ members: [], rootPartitions: [], mirrorDevice: undefined }));
    await checkSetStep.run(r.ctx, r.exec, []);
    expect(r.ctx.r.members.map((m) => m.dev)).toEqual(['sde2', 'sdf2']);
    expect(r.ctx.r.rootPartitions.map((m) => m.dev)).toEqual(['sde1', 'sdf1']);
    expect(r.ctx.r.mirrorDevice).toBe('md5');
  });
});
