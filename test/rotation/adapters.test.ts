import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeAdapters } from '../../src/rotation/adapters.js';
import { run } from '../../src/system/op.js';
import { seedTopology } from '../helpers/fake-system.js';

describe('makeAdapters', () => {
  it('builds every adapter, and the op runner, on the one CommandRunner', async () => {
    const lab = seedTopology();
    try {
      const a = makeAdapters(loadConfig(lab.configPath), lab.sys, {});
      expect(a.runner).toBe(lab.sys);
      await a.ops.exec(run(['sync'], 1000));
      expect(lab.sys.calls.at(-1)).toEqual(['sync']);
      expect(a.systemd.underSystemd).toBe(false);
    } finally {
      lab.sys.cleanup();
    }
  });
});
