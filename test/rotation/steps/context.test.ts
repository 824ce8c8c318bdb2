import { describe, expect, it } from 'vitest';
import { derive, stillIn } from '../../../src/rotation/steps/context.js';
import { baseFacts, cfg, rot, withStripe } from '../fixtures.js';

describe('derive', () => {
  it('finds the set arrays by UUID, never by name', () => {
    const c = derive(cfg, rot({ mirrorDevice: 'md99' }), withStripe(baseFacts()));
    expect([c.stripe?.name, c.mirror?.name, c.rootMirror?.name]).toEqual(['md8', 'md5', 'md1']);
  });

  it('a set gone from the config matches nothing', () => {
    const c = derive(cfg, rot({ set: 'Z', mirrorDevice: undefined }), withStripe(baseFacts()));
    expect(c.stripe).toBeUndefined();
    expect(c.mirror).toBeUndefined();
    expect(c.p.members).toEqual([]);
  });

  it('stillIn lists the devices an array still holds', () => {
    const c = derive(cfg, rot(), withStripe(baseFacts()));
    expect(stillIn(c.rootMirror, ['sda1', 'sde1'])).toEqual(['sda1']);
  });
});
