import { describe, expect, it } from 'vitest';
import { flushStep } from '../../../src/rotation/steps/flush.js';
import { renderOp } from '../../../src/system/op.js';
import { planCtx } from '../fixtures.js';

describe('step flush', () => {
  it('runs sync once, and is done once recorded', () => {
    expect(flushStep.ops!(planCtx()).map(renderOp)).toEqual(['sync']);
    expect(flushStep.status(planCtx({ done: ['flush'] }))).toEqual({ status: 'done' });
  });
});
