// `baysync sync run` as the command wires it (real runner, the failover's state on disk, the mail
// spool): a standby whose failover has taken over runs nothing; a refusal returns at once with
// nothing left spooled. The transfers themselves are proven in test/netns/realtime.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncRun } from '../../src/cli/sync-run.js';
import { parseConfigText } from '../../src/config/load.js';
import { FailoverStore } from '../../src/failover/state.js';
import { syncLockPath } from '../../src/paths.js';

/** The example standby config over a scratch state dir, proc and fstab (/home in fstab). */
function standby(o: { homeMounted: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'sync-run-'));
  mkdirSync(join(dir, 'proc/self'), { recursive: true });
  const mounts = ['22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw'];
  if (o.homeMounted) mounts.push('23 22 8:2 / /home rw,relatime - ext4 /dev/sda2 rw');
  writeFileSync(join(dir, 'proc/self/mountinfo'), `${mounts.join('\n')}\n`);
  writeFileSync(join(dir, 'fstab'), 'UUID=1 / ext4 errors=remount-ro 0 1\nUUID=2 /home ext4 defaults 0 2\n');
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');
  return parseConfigText(
    'standby.toml',
    `${text}\n[paths]\nstate_dir = "${dir}/state"\nrun_dir = "${dir}/run"\nproc = "${dir}/proc"\nfstab = "${dir}/fstab"\n`,
  );
}

describe('baysync sync run', () => {
  it("runs nothing while the failover's state on disk says it has taken over", async () => {
    const cfg = standby({ homeMounted: true });
    const store = new FailoverStore(cfg.paths.state_dir);
    store.save({ ...store.load(), phase: 'active' });
    const out = await syncRun(cfg, {});
    expect(out).toEqual({ status: 'skipped', reason: expect.stringMatching(/failover active/) });
    expect(existsSync(syncLockPath(cfg.paths))).toBe(false);
  });

  it('refuses an unmounted destination and returns with nothing spooled', async () => {
    const cfg = standby({ homeMounted: false });
    const out = await syncRun(cfg, {});
    expect(out).toMatchObject({ status: 'refused', reason: expect.stringMatching(/\/home .* is not mounted/) });
    const spool = join(cfg.paths.state_dir, 'mail');
    expect(existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.json')) : []).toEqual([]);
  });
});
