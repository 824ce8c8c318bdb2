import { describe, expect, it } from 'vitest';
import { progressBar, renderPlan, renderSyncOutcome } from '../../src/cli/render.js';
import { plan } from '../../src/rotation/planner.js';
import { baseFacts, cfg, rot } from '../rotation/fixtures.js';

describe('baysync plan', () => {
  it('prints each pending step with the exact commands it will run', () => {
    const r = rot({ done: ['check-set'] });
    const out = renderPlan({ rotation: r, plan: plan({ cfg, rotation: r, facts: baseFacts() }), status: 'x' });
    expect(out).toContain('next: assemble stripe md8');
    expect(out).toContain(
      '$ mdadm --assemble /dev/md8 --uuid=00000008:00000000:00000000:00000008 --run /dev/sde2 /dev/sdf2',
    );
    expect(out).toContain('$ (if that fails) mdadm /dev/md1 --add /dev/sde1');
    expect(renderPlan({ rotation: null, plan: null, status: 'idle' })).toMatch(/no rotation running/);
  });
});

describe('other views', () => {
  it('a progress bar and a sync outcome line', () => {
    expect(progressBar(50, 10)).toBe('[#####.....] 50.0%');
    expect(renderSyncOutcome({ status: 'skipped', reason: 'a sync is already running (pid 4)' })).toBe(
      'skipped: a sync is already running (pid 4)',
    );
  });
});
