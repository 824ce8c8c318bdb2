import { describe, expect, it } from 'vitest';
import { verifyAssembleStep } from '../../../src/rotation/steps/verify-assemble.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded } from '../fixtures.js';

describe('step verify-assemble (invariant 3)', () => {
  it('assembles the detached stripe --readonly, after clearing a leftover verification mount', () => {
    const c = planCtx({ phase: 'verifying' }, { ...baseFacts(), copy: { mounted: true } });
    expect(verifyAssembleStep.ops!(c).map(renderOp)).toEqual([
      'umount -- /run/baysync/verify/A',
      'mdadm --assemble /dev/md8 --uuid=00000008:00000000:00000000:00000008 --readonly --run /dev/sde2 /dev/sdf2',
    ]);
  });

  it('a set no longer plugged in completely is the verdict, with nothing run', async () => {
    const facts = baseFacts();
    facts.candidates = facts.candidates.filter((x) => x.dev !== 'sdf2');
    const c = planCtx({ phase: 'verifying' }, facts);
    const r = recorded(c);
    await verifyAssembleStep.run(r.ctx, r.exec, verifyAssembleStep.ops!(c));
    expect(r.ctx.r.verify).toMatchObject({ ok: false, detail: expect.stringMatching(/no longer plugged in/) });
    expect(r.events).toEqual([]);
  });
});
