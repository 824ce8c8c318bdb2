import { describe, expect, it } from 'vitest';
import { verifyReleaseStep } from '../../../src/rotation/steps/verify-release.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, withStripe } from '../fixtures.js';

describe('step verify-release', () => {
  it('stops the read-only stripe once the verdict is in', () => {
    const verdict = { ok: true, detail: 'ok', sampled: 3, mismatched: [], markerFound: true };
    expect(verifyReleaseStep.ops!(planCtx({ verify: verdict }, withStripe(baseFacts()))).map(renderOp)).toEqual([
      'mdadm --stop /dev/md8',
    ]);
    expect(verifyReleaseStep.status(planCtx({ verify: verdict }))).toEqual({ status: 'done' });
  });
});
