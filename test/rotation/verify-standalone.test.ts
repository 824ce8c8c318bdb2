// `baysync verify --set A` after a rotation, on the daemon over the fake system: the same
// read-only steps as in a rotation, and the stripe is stopped again afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('verify a detached set outside a rotation', () => {
  it('assembles read-only, mounts read-only at the offset, compares, and stops the stripe again', async () => {
    h = await startHarness();
    // Only files older than the detach (by 2 s, ctime and mtime) are sampled: let the pool age.
    await new Promise((r) => setTimeout(r, 2500));
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    // The drives were spun down and deleted; plugged in again, as the operator would.
    for (const d of ['sde', 'sdf']) h.lab.sys.removeDisk(d);
    const { plugSet } = await import('../helpers/fake-system.js');
    plugSet(h.lab, 'A');
    h.lab.sys.calls.length = 0;
    const v = (await h.daemon.handle({ cmd: 'verify', set: 'A' })) as { ok: boolean; sampled: number };
    expect(v.ok).toBe(true);
    expect(v.sampled).toBeGreaterThan(0);
    const calls = h.lab.sys.calls.map((c) => c.join(' '));
    expect(calls.filter((c) => /^(mdadm --assemble|mount |umount|mdadm --stop)/.test(c))).toEqual([
      expect.stringMatching(/^mdadm --assemble \/dev\/md8 .*--readonly --run/),
      expect.stringMatching(
        /^mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=2097152 -- \/dev\/md8 /,
      ),
      expect.stringMatching(/^umount -- /),
      'mdadm --stop /dev/md8',
    ]);
    expect(calls.some((c) => /--add|--re-add|--zero-superblock/.test(c))).toBe(false);
  });

  it('refuses while the set is a member of its mirror', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    await expect(h.daemon.handle({ cmd: 'verify', set: 'A' })).rejects.toThrow(/rotation of set A is running/);
  });
});
