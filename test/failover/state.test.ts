import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FailoverStore, syncSuspension } from '../../src/failover/state.js';

describe('failover.json', () => {
  it('the standby sync is suspended whenever the phase is not monitoring', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fo-'));
    expect(syncSuspension(dir)).toBeUndefined();
    const s = new FailoverStore(dir);
    const st = s.load();
    st.phase = 'active';
    s.save(st);
    expect(syncSuspension(dir)).toBe('failover active');
  });

  it('keeps at most 40 transitions', () => {
    const s = new FailoverStore(mkdtempSync(join(tmpdir(), 'fo-')));
    const st = s.load();
    st.transitions = Array.from({ length: 60 }, (_, i) => ({
      at: `${i}`,
      from: 'monitoring',
      to: 'monitoring',
      why: 'x',
    })) as never;
    s.save(st);
    expect(s.load().transitions).toHaveLength(40);
  });
});
