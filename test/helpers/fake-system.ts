// A fake Linux storage system for integration tests: a CommandRunner that answers mdadm,
// systemctl, fsfreeze, mount, losetup, hdparm/sdparm… from an in-memory model of disks
// and md arrays, and mirrors that model into a temp directory as /proc/mdstat, sysfs and
// /dev nodes (the files the daemon reads). Every argv is recorded. Output formats follow the
// fixtures captured from the real tools in the lab (test/fixtures/lab). The model is small but
// faithful where the daemon looks: raid0 stripes made of partitions, raid1 mirrors with
// bitmaps, superblocks inside assembled stripes, recovery progress, faulty members.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner, LongLived, RunOptions, RunResult } from '../../src/system/runner.js';
import { CommandError } from '../../src/system/runner.js';
import { normalizeUuid } from '../../src/util/names.js';
import { fakeCommand } from './fake/commands.js';
import { mirrorToFiles } from './fake/files.js';
import { type FakeArray, type FakeDisk, type FakePart, fakeUuid, type Superblock } from './fake/model.js';

export * from './fake/model.js';
export { type LabLike, plugSet, seedTopology } from './fake/topology.js';

export class FakeSystem implements CommandRunner {
  readonly root: string;
  readonly calls: string[][] = [];
  disks = new Map<string, FakeDisk>();
  arrays = new Map<string, FakeArray>();
  /** The md superblock a stripe's content carries (i.e. its membership in a mirror), by stripe UUID. */
  stripeContent = new Map<string, Superblock | undefined>();
  backuppcActive = true;
  private dumps = 0;
  /** BackupPC_dump processes shown in the fake /proc. */
  get runningDumps(): number {
    return this.dumps;
  }
  set runningDumps(n: number) {
    this.dumps = n;
    this.sync();
  }
  frozen = false;
  mounted = new Set<string>();
  /** Commands (by argv prefix joined with spaces) that should fail. */
  failures = new Map<string, string>();
  /** Pending `mdadm --wait` callers per array. */
  waiters = new Map<string, Array<() => void>>();
  hdparmWorks = false;
  livePool: string;
  /** Extra delay per command, to model command time (excluded from overhead figures). */
  commandDelayMs = 0;
  commandTimeMs = 0;
  loops = new Map<string, { dev: string; offset: number }>();
  /** Mirrors that lost their external half at least once (their bitmap then tracks writes). */
  everDetached = new Set<string>();
  seq = 1;
  /** Block-level model of the mirrors' data areas (all zeros but the filesystem's superblock):
   *  byte offsets the pool wrote since the split (on the writable halves, their bitmap chunk
   *  marked dirty), and damage: array name -> byte offset overwritten behind md's back. */
  poolWrites: number[] = [];
  damage = new Map<string, number>();
  /** The exit code of the fake xfs_repair -n (1: damage found). */
  fsckExit = 0;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'baysync-fake-'));
    for (const d of ['sys/block', 'proc', 'dev', 'state', 'run', 'pool', 'etc/backuppc'])
      mkdirSync(join(this.root, d), { recursive: true });
    this.livePool = join(this.root, 'pool');
    mkdirSync(join(this.livePool, 'pc', 'localhost'), { recursive: true });
    const old = new Date(Date.now() - 3600_000);
    for (let i = 0; i < 8; i++) {
      const f = join(this.livePool, 'pc', 'localhost', `f${i}`);
      writeFileSync(f, `pool file ${i}\n`.repeat(100));
      utimesSync(f, old, old);
    }
    writeFileSync(join(this.root, 'etc/backuppc/external-control.pl'), '$Conf{BackupsDisable} = 0;\n');
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  // ---- building the topology ---------------------------------------------------------

  addDisk(
    name: string,
    sizeBytes: number,
    parts: Array<{ sizeBytes: number; sb?: Superblock }>,
    serial = name.toUpperCase(),
  ): FakeDisk {
    const d: FakeDisk = {
      name,
      sizeBytes,
      serial,
      parts: parts.map((p, i) => ({ name: `${name}${i + 1}`, sizeBytes: p.sizeBytes, sb: p.sb })),
    };
    this.disks.set(name, d);
    this.sync();
    return d;
  }

  removeDisk(name: string): void {
    const d = this.disks.get(name);
    if (!d) return;
    this.disks.delete(name);
    for (const n of [name, ...d.parts.map((p) => p.name)]) rmSync(this.path(`dev/${n}`), { force: true });
    const gone = new Set([name, ...d.parts.map((p) => p.name)]);
    for (const a of this.arrays.values()) {
      for (const m of a.members) if (gone.has(m.dev)) m.state = ['faulty'];
    }
    // A raid0 stripe that lost a member fails; the mirror above marks it faulty.
    for (const a of this.arrays.values()) {
      if (a.level === 'raid0' && a.members.some((m) => m.state.includes('faulty'))) {
        for (const up of this.arrays.values()) {
          for (const m of up.members) if (m.dev === a.name) m.state = ['faulty'];
          if (up.members.some((m) => m.dev === a.name)) {
            up.syncAction = 'idle';
            up.syncDone = undefined;
            this.wake(up.name);
          }
        }
      }
    }
    this.sync();
  }

  addArray(
    a: Omit<FakeArray, 'readonly' | 'syncAction' | 'bitmap' | 'dataOffsetSectors'> & Partial<FakeArray>,
  ): FakeArray {
    const full: FakeArray = {
      readonly: false,
      syncAction: 'idle',
      bitmap: a.level === 'raid1',
      dataOffsetSectors: 2048,
      ...a,
    };
    this.arrays.set(a.name, full);
    this.sync();
    return full;
  }

  sb(uuid: string, level: string, raidDevices: number, name: string): Superblock {
    return { uuid: normalizeUuid(uuid), level, raidDevices, devUuid: fakeUuid(0x99), events: 100, name };
  }

  /** Finish the running recovery of an array (the test's "md says clean"). */
  completeSync(name: string): void {
    const a = this.arrays.get(name)!;
    for (const m of a.members) if (!m.state.includes('faulty')) m.state = ['in_sync'];
    a.syncAction = 'idle';
    a.syncDone = undefined;
    a.syncTotal = undefined;
    this.sync();
    this.wake(name);
  }

  setProgress(name: string, done: number, total: number): void {
    const a = this.arrays.get(name)!;
    a.syncDone = done;
    a.syncTotal = total;
    this.sync();
  }

  wake(name: string): void {
    for (const w of this.waiters.get(name) ?? []) w();
    this.waiters.delete(name);
  }

  degraded(a: FakeArray): number {
    return a.level === 'raid1' ? a.raidDisks - a.members.filter((m) => m.state.includes('in_sync')).length : 0;
  }

  // ---- mirroring into files ------------------------------------------------------------

  /** /dev/<md>: for stripes, a superblock of the mirror at 4 KiB and of the top mirror one data offset further. */
  topUuid: string | undefined;

  // ---- CommandRunner ---------------------------------------------------------------------

  sync(): void {
    mirrorToFiles(this);
  }

  /** Long-lived children (systemd-inhibit) still running. */
  readonly living = new Set<string>();

  spawnLongLived(argv: string[]): LongLived {
    this.calls.push(argv);
    let resolve: (n: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (resolve = r));
    const id = `${this.seq++} ${argv.join(' ')}`;
    this.living.add(id);
    return {
      pid: 4242,
      kill: () => {
        this.living.delete(id);
        resolve(0);
      },
      exited,
    };
  }

  /** Inhibitor locks held now. */
  get inhibitors(): number {
    return [...this.living].filter((l) => l.includes(' systemd-inhibit ')).length;
  }

  /** The daemon writes a few sysfs attributes itself (sync_action to unfreeze): take them into the model. */
  private pickUpSysfsWrites(): void {
    for (const a of this.arrays.values()) {
      const tb = this.path(`sys/block/${a.name}/md/bitmap/time_base`);
      if (a.bitmap && existsSync(tb)) a.bitmapTimeBase = Number(readFileSync(tb, 'utf8').trim());
    }
    for (const a of this.arrays.values()) {
      if (a.syncAction !== 'frozen') continue;
      const f = this.path(`sys/block/${a.name}/md/sync_action`);
      if (existsSync(f) && readFileSync(f, 'utf8').trim() === 'idle') {
        this.unfrozen.push(a.name);
        a.syncAction = 'recover';
        this.sync();
      }
    }
  }

  unfrozen: string[] = [];

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.pickUpSysfsWrites();
    this.calls.push(argv);
    if (this.commandDelayMs) {
      const t = Date.now();
      await new Promise((r) => setTimeout(r, this.commandDelayMs));
      this.commandTimeMs += Date.now() - t;
    }
    const key = [...this.failures.keys()].find((k) => argv.join(' ').startsWith(k));
    let res: { code: number; out?: string; err?: string };
    if (key) res = { code: 1, err: this.failures.get(key) };
    else res = await fakeCommand(this, argv, opts);
    const r: RunResult = { argv, exitCode: res.code, stdout: res.out ?? '', stderr: res.err ?? '', durationMs: 0 };
    if (res.code !== 0 && !opts.allowFailure) throw new CommandError(argv, res.code, r.stderr, r.stdout);
    return r;
  }

  partByName(dev: string): FakePart | undefined {
    for (const d of this.disks.values()) for (const p of d.parts) if (p.name === dev) return p;
    return undefined;
  }
}
