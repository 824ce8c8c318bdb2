// The sync executor's guards that need no network (the rest is proven in test/netns).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { syncLockPath } from '../../src/paths.js';
import { SyncExecutor } from '../../src/realtime/run.js';
import { recordingRunner } from '../helpers/recording-runner.js';

const fx = (f: string): string => readFileSync(new URL(`../fixtures/net/${f}`, import.meta.url), 'utf8');

/** The example standby config (pull into /home) over a scratch proc and fstab: /home mounted
 *  unless `unmounted`, and /home listed in fstab. */
function standby(answer?: Parameters<typeof recordingRunner>[0], o: { unmounted?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  mkdirSync(join(dir, 'proc/self'), { recursive: true });
  const mounts = ['22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw'];
  if (!o.unmounted) mounts.push('23 22 8:2 / /home rw,relatime - ext4 /dev/sda2 rw');
  writeFileSync(join(dir, 'proc/self/mountinfo'), `${mounts.join('\n')}\n`);
  writeFileSync(join(dir, 'fstab'), 'UUID=1 / ext4 errors=remount-ro 0 1\nUUID=2 /home ext4 defaults 0 2\n');
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8').split('\n[failover]')[0]!;
  const cfg = parseConfigText(
    'standby.toml',
    `${text}\n[paths]\nstate_dir = "${dir}/state"\nrun_dir = "${dir}/run"\nproc = "${dir}/proc"\nfstab = "${dir}/fstab"\n`,
  );
  return { cfg, ...recordingRunner(answer) };
}

/** The dry run of an emptied source: 300 deletions; the copy's count says 1,000 files. */
const emptiedSource = (argv: string[]) =>
  argv.includes('--dry-run') ? { stdout: fx('rsync-stats-dry-run-mass-delete.txt') } : {};

describe('SyncExecutor', () => {
  it('runs nothing and takes no lock while the failover says the sync is suspended', async () => {
    const { cfg, calls, runner } = standby();
    const out = await new SyncExecutor(cfg, runner, () => 'failover active').run({ kind: 'full' }, 'timer');
    expect(out).toEqual({ status: 'skipped', reason: expect.stringMatching(/suspended.*failover active.*failback/) });
    expect(calls).toEqual([]);
    expect(existsSync(syncLockPath(cfg.paths))).toBe(false);
  });

  it('the deletion guard counts with a dry run first, deletes nothing, stays tripped, is mailed once, and only --allow-deletions clears it', async () => {
    const { cfg, calls, runner } = standby(emptiedSource);
    const mails: string[] = [];
    const mail = { enqueue: (m: { subject: string }) => void mails.push(m.subject) } as never;
    const exec = new SyncExecutor(cfg, runner, undefined, Date.now, mail);
    exec.store.save({ ...exec.store.load(), lastFileCount: 1000 });
    const first = await exec.run({ kind: 'full' }, 'timer');
    expect(first).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/a dry run counted 300 deletions, more than allowed \(100:.*nothing was deleted/),
    });
    // Only the marker check and the dry run ran: no rsync that could delete.
    expect(calls.filter((c) => c[0] === 'rsync' && !c.includes('--dry-run') && !c.includes('--list-only'))).toEqual([]);
    expect(exec.store.load().guard?.reason).toMatch(/^deletion guard: a dry run counted 300/);
    calls.length = 0;
    const second = await exec.run({ kind: 'full' }, 'timer');
    expect(second).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/the deletion guard tripped at .*--allow-deletions/),
    });
    expect(calls.filter((c) => c[0] === 'rsync' && !c.includes('--list-only'))).toEqual([]);
    expect(mails).toEqual(['[baysync] standby sync stopped: the deletion guard tripped']);
    const allowed = await exec.run({ kind: 'full' }, 'command line', { allowDeletions: true });
    expect(allowed).toMatchObject({ status: 'done', run: { ok: true } });
    expect(exec.store.load().guard).toBeUndefined();
  });

  it('rsync stopping at --max-delete (exit 25) trips the guard too', async () => {
    const { cfg, runner } = standby((argv) =>
      argv.includes('--delete') && !argv.includes('--dry-run') ? { exitCode: 25 } : {},
    );
    const exec = new SyncExecutor(cfg, runner);
    await exec.run({ kind: 'full' }, 'timer');
    expect(exec.store.load().guard?.reason).toMatch(/more than \d+ files .* would be deleted/);
  });

  it('refuses a tree whose /etc/fstab filesystem is not mounted, even with its marker present', async () => {
    const { cfg, calls, runner } = standby(undefined, { unmounted: true });
    const exec = new SyncExecutor(cfg, runner);
    const out = await exec.run({ kind: 'full' }, 'timer');
    expect(out).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^\/home \(in .*fstab\) is not mounted; refusing to sync into \/home/),
    });
    expect(calls).toEqual([]);
  });
});
