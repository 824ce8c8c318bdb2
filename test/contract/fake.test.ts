// The adapter contract (cases.ts) on the FakeSystem: the fake honours what the real tools do.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { hasRotation } from '../../src/config/schema.js';
import { plugSet, seedTopology } from '../helpers/fake-system.js';
import { cases } from './cases.js';

describe('adapter contract on the FakeSystem', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const lab = seedTopology();
      plugSet(lab, 'A');
      const cfg = loadConfig(lab.configPath);
      expect(hasRotation(cfg)).toBe(true);
      if (!hasRotation(cfg)) return;
      try {
        await c.run({
          cfg,
          runner: lab.sys,
          settle: async (m) => lab.sys.completeSync(m),
          settleDevices: async () => undefined,
        });
      } finally {
        lab.sys.cleanup();
      }
    });
  }
});
