import { describe, expect, it } from 'vitest';
import { RateLimit } from '../../src/util/rate-limit.js';

describe('RateLimit', () => {
  it('lets at most max events through per window, and says how many it held back', () => {
    let now = 0;
    const r = new RateLimit(2, 1000, () => now);
    expect([r.take(), r.take(), r.take(), r.take()]).toEqual([{ heldBack: 0 }, { heldBack: 0 }, undefined, undefined]);
    now = 1000;
    expect(r.take()).toEqual({ heldBack: 2 });
  });
});
