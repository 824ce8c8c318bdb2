// The sync executor's guards that need no network (the rest is proven in test/netns).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { syncLockPath } from '../../src/paths.js';
import { SyncExecutor } from '../../src/realtime/run.js';
import { recordingRunner } from '../helpers/recording-runner.js';

function standby() {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');
  const cfg = parseConfigText('standby.toml', `${text}\n[paths]\nstate_dir = "${dir}/state"\nrun_dir = "${dir}/run"\n`);
  return { cfg, ...recordingRunner() };
}

describe('SyncExecutor', () => {
  it('runs nothing and takes no lock while the failover says the sync is suspended', async () => {
    const { cfg, calls, runner } = standby();
    const out = await new SyncExecutor(cfg, runner, () => 'failover active').run({ kind: 'full' }, 'timer');
    expect(out).toEqual({ status: 'skipped', reason: expect.stringMatching(/suspended.*failover active.*failback/) });
    expect(calls).toEqual([]);
    expect(existsSync(syncLockPath(cfg.paths))).toBe(false);
  });
});
