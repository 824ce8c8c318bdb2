import { describe, expect, it } from 'vitest';
import { sendReportStep } from '../../../src/rotation/steps/send-report.js';
import { planCtx, recorded } from '../fixtures.js';

describe('step send-report', () => {
  it('spools the "safe to remove" mail, or the failure mail after a failed verification', async () => {
    const ok = recorded(planCtx({ verify: { ok: true, detail: 'ok', sampled: 3, mismatched: [], markerFound: true } }));
    await sendReportStep.run(ok.ctx, ok.exec, []);
    const bad = recorded(
      planCtx({ verify: { ok: false, detail: 'x', sampled: 3, mismatched: ['f'], markerFound: true } }),
    );
    await sendReportStep.run(bad.ctx, bad.exec, []);
    expect([...ok.events, ...bad.events]).toEqual([
      'mail: [baysync] set A: offline copy done, safe to remove',
      'mail: [baysync] set A: VERIFICATION FAILED',
    ]);
  });
});
