// The three verification steps: assemble read-only, mount read-only at the offset, release.
import { describe, expect, it } from 'vitest';
import { verifyAssembleStep } from '../../../src/rotation/steps/verify-assemble.js';
import { verifyCopyStep } from '../../../src/rotation/steps/verify-copy.js';
import { verifyReleaseStep } from '../../../src/rotation/steps/verify-release.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded, withStripe } from '../fixtures.js';

describe('steps verify-assemble, verify-copy, verify-release (invariant 3)', () => {
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

  it('mounts the copy read-only on a read-only loop at the filesystem offset, then unmounts', () => {
    const c = planCtx(
      { phase: 'verifying' },
      { ...withStripe(baseFacts()), copy: { mounted: false, dataOffset: 2097152 } },
    );
    expect(verifyCopyStep.ops!(c).map(renderOp)).toEqual([
      'mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=2097152 -- /dev/md8 /run/baysync/verify/A',
      'umount -- /run/baysync/verify/A',
    ]);
  });

  it('stops the read-only stripe once the verdict is in', () => {
    const verdict = { ok: true, detail: 'ok', sampled: 3, mismatched: [], markerFound: true };
    expect(verifyReleaseStep.ops!(planCtx({ verify: verdict }, withStripe(baseFacts()))).map(renderOp)).toEqual([
      'mdadm --stop /dev/md8',
    ]);
    expect(verifyReleaseStep.status(planCtx({ verify: verdict }))).toEqual({ status: 'done' });
  });
});
