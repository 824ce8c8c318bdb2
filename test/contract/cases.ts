// The adapter contract: the same cases for the md, filesystem and BackupPC adapters, run on the
// FakeSystem (test/contract/fake.test.ts) and in the lab VM on the real mdadm, fsfreeze,
// systemctl and BackupPC (scripts/lab/e2e/scenarios/adapter-contract.ts), as restic runs one
// backend suite on its in-memory and real backends. A case that passes on the fake and fails on
// the real tools means the fake lies. Contract: plain node:assert, no test framework, so the
// compiled file runs in the guest; each case leaves the system as it found it.
import assert from 'node:assert/strict';
import type { RotationConfig } from '../../src/config/schema.js';
import { BackupPcAdapter, backuppcOps } from '../../src/system/backuppc.js';
import { BlockAdapter } from '../../src/system/block.js';
import { FsAdapter, fsOps } from '../../src/system/fs.js';
import { MdAdapter } from '../../src/system/md.js';
import { mdOps } from '../../src/system/md-ops.js';
import { OpRunner } from '../../src/system/op-runner.js';
import type { CommandRunner } from '../../src/system/runner.js';

export interface ContractEnv {
  /** The lab's config: set A's stripe and mirror UUIDs, the pool, BackupPC. Set A is plugged in, idle. */
  cfg: RotationConfig;
  runner: CommandRunner;
  /** Let md finish a recovery: the fake completes it, the real kernel is waited for. */
  settle(mirror: string): Promise<void>;
  /** Let udev finish with the device nodes (a stopped array's node may vanish only after a new
   *  assembly under the same name: seen in the lab); the fake has no udev. */
  settleDevices(): Promise<void>;
  /** What the system shows after a failed case (md, device nodes, kernel log), for the report. */
  diagnose?(): Promise<string>;
}

export interface ContractCase {
  name: string;
  run(e: ContractEnv): Promise<void>;
}

const adapters = (e: ContractEnv) => {
  const p = e.cfg.paths;
  return {
    md: new MdAdapter(e.runner, p.sysfs, p.proc, p.dev),
    fs: new FsAdapter(e.runner),
    bpc: new BackupPcAdapter(e.runner, e.cfg.backuppc, p.proc),
    ops: new OpRunner(e.runner),
  };
};

/** Set A's stripe members, found by their superblocks (never by name). */
async function setMembers(e: ContractEnv): Promise<string[]> {
  const { md } = adapters(e);
  const out: string[] = [];
  for (const d of await new BlockAdapter(e.cfg.paths.sysfs).list()) {
    if (d.type === 'part' && (await md.probe(d.name, d.sizeBytes))?.uuid === e.cfg.sets[0]!.stripe_uuid)
      out.push(d.name);
  }
  assert.equal(out.length, 2, `set A's two stripe members are plugged in (found ${out.join(', ') || 'none'})`);
  return out.sort();
}

async function waitFor(what: string, pred: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const cases: ContractCase[] = [
  // The join first: on a stripe assembled for the first time since boot (later cases stop and
  // assemble md8 again within seconds).
  {
    name: 'md: the stripe joins its degraded bitmap mirror, syncs clean, and fail+remove leaves it degraded again',
    async run(e) {
      const { md, ops } = adapters(e);
      const set = e.cfg.sets[0]!;
      await ops.exec(mdOps.assemble(set.stripe_device, set.stripe_uuid, await setMembers(e)));
      await e.settleDevices();
      const mirror = (await md.listArrays()).find((x) => x.uuid === set.mirror_uuid && x.active);
      assert.ok(mirror, 'the set mirror is active');
      assert.equal(mirror.degraded, 1);
      try {
        // As the rotation joins: a re-add into the bitmap when the stripe carries the mirror's
        // superblock (a set that rotated before), else an add (a new set).
        const inside = await md.probe(set.stripe_device, (await md.sysfsState(set.stripe_device)).sizeBytes ?? 0);
        if (inside?.uuid === set.mirror_uuid)
          assert.equal((await ops.exec(mdOps.reAdd(mirror.name, set.stripe_device))).exitCode, 0);
        else await ops.exec(mdOps.add(mirror.name, set.stripe_device));
        await e.settle(mirror.name);
        await waitFor('the mirror to be clean', async () => {
          const s = await md.sysfsState(mirror.name);
          return s.degraded === 0 && (s.syncAction ?? 'idle') === 'idle';
        });
        const after = await md.sysfsState(mirror.name);
        assert.ok(after.members.find((m) => m.dev === set.stripe_device)?.state.includes('in_sync'));
        assert.ok((after.bitmapTimeBase ?? 0) > 0, 'the mirror has a write-intent bitmap with a period');
      } finally {
        // Cleanup errors are reported after the case's own error, never instead of it.
        try {
          for (const op of mdOps.failAndRemove(mirror.name, [set.stripe_device]).filter((o) => !o.fallback))
            await ops.exec(op);
          await e.settleDevices();
          await ops.exec(mdOps.stop(set.stripe_device, e.cfg.paths.sysfs));
          await e.settleDevices();
        } catch (cleanup) {
          process.stderr.write(`cleanup after the join case failed: ${String(cleanup)}\n`);
        }
      }
      assert.equal((await md.sysfsState(mirror.name)).degraded, 1);
    },
  },
  {
    name: 'md: a stripe assembled by UUID is listed with that UUID; --stop removes it',
    async run(e) {
      const { md, ops } = adapters(e);
      const set = e.cfg.sets[0]!;
      const members = await setMembers(e);
      await ops.exec(mdOps.assemble(set.stripe_device, set.stripe_uuid, members));
      await e.settleDevices();
      const a = (await md.listArrays()).find((x) => x.name === set.stripe_device);
      assert.equal(a?.uuid, set.stripe_uuid);
      assert.equal(a?.active, true);
      assert.deepEqual(a?.members.map((m) => m.dev).sort(), members);
      await e.settleDevices();
      await ops.exec(mdOps.stop(set.stripe_device, e.cfg.paths.sysfs));
      await e.settleDevices();
      assert.equal(
        (await md.listArrays()).find((x) => x.name === set.stripe_device),
        undefined,
      );
    },
  },
  {
    name: 'md: assembling twice fails with a non-zero exit, never silently',
    async run(e) {
      const { ops } = adapters(e);
      const set = e.cfg.sets[0]!;
      const members = await setMembers(e);
      await ops.exec(mdOps.assemble(set.stripe_device, set.stripe_uuid, members));
      await e.settleDevices();
      try {
        await assert.rejects(ops.exec(mdOps.assemble(set.stripe_device, set.stripe_uuid, members)));
      } finally {
        await e.settleDevices();
        await ops.exec(mdOps.stop(set.stripe_device, e.cfg.paths.sysfs));
        await e.settleDevices();
      }
    },
  },
  {
    name: 'fs: freeze, thaw; a second thaw exits non-zero with "Invalid argument"',
    async run(e) {
      const { fs, ops } = adapters(e);
      const mp = e.cfg.storage.mountpoint;
      assert.equal(await fs.isMounted(mp, e.cfg.paths.proc), true);
      await ops.exec(fsOps.freeze(mp));
      const thaw = await ops.exec(fsOps.thaw(mp));
      assert.equal(thaw.exitCode, 0);
      const again = await ops.exec(fsOps.thaw(mp));
      assert.notEqual(again.exitCode, 0);
      assert.match(again.stderr, /Invalid argument/);
    },
  },
  {
    name: 'backuppc: stop and start through systemctl, as serviceActive reports',
    async run(e) {
      const { bpc, ops } = adapters(e);
      assert.equal(await bpc.serviceActive(), true);
      await ops.exec(backuppcOps.stop(e.cfg.backuppc));
      assert.equal(await bpc.serviceActive(), false);
      await ops.exec(backuppcOps.start(e.cfg.backuppc));
      assert.equal(await bpc.serviceActive(), true);
    },
  },
  {
    name: 'backuppc: the control include is replaced and read back; the reload of a running server succeeds',
    async run(e) {
      const { bpc, ops } = adapters(e);
      const before = bpc.readControl();
      try {
        await ops.exec(backuppcOps.writeControl(e.cfg.backuppc, '$Conf{BackupsDisable} = 0; # contract\n'));
        assert.equal(bpc.readControl(), '$Conf{BackupsDisable} = 0; # contract\n');
        await waitFor(
          'BackupPC to answer',
          async () => (await ops.exec(backuppcOps.reload(e.cfg.backuppc))).exitCode === 0,
        );
      } finally {
        await ops.exec(backuppcOps.writeControl(e.cfg.backuppc, before ?? '$Conf{BackupsDisable} = 0;\n'));
      }
    },
  },
];

/** Runs every case; returns one line per case, PASS or FAIL with the reason. */
export async function runContract(e: ContractEnv): Promise<{ lines: string[]; failed: number }> {
  const lines: string[] = [];
  let failed = 0;
  for (const c of cases) {
    try {
      await c.run(e);
      lines.push(`PASS ${c.name}`);
    } catch (err) {
      failed++;
      lines.push(`FAIL ${c.name}: ${err instanceof Error ? err.message : String(err)}`);
      if (e.diagnose) lines.push(await e.diagnose().catch((d: unknown) => `(no diagnosis: ${String(d)})`));
    }
  }
  return { lines, failed };
}
