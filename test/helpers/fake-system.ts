// A fake Linux storage system for integration tests: a CommandRunner that answers mdadm,
// systemctl, fsfreeze, mount, losetup, hdparm/sdparm… from an in-memory model of disks
// and md arrays, and mirrors that model into a temp directory as /proc/mdstat, sysfs and
// /dev nodes (the files the daemon reads). Every argv is recorded. Output formats follow the
// fixtures captured from the real tools in the lab (test/fixtures/lab). The model is small but
// faithful where the daemon looks: raid0 stripes made of partitions, raid1 mirrors with
// bitmaps, superblocks inside assembled stripes, recovery progress, faulty members.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mdV1Magic } from '../../src/system/parsers/md-superblock.js';
import type { CommandRunner, LongLived, RunOptions, RunResult } from '../../src/system/runner.js';
import { CommandError } from '../../src/system/runner.js';
import { mdadmUuid, normalizeUuid } from '../../src/util/names.js';

export interface Superblock {
  partlyRecovered?: boolean;
  uuid: string; // normalized
  level: string;
  raidDevices: number;
  devUuid: string;
  events: number;
  name: string;
}

export interface FakePart {
  name: string;
  sizeBytes: number;
  sb?: Superblock;
}

export interface FakeDisk {
  name: string;
  sizeBytes: number;
  serial: string;
  parts: FakePart[];
}

export interface FakeMember {
  dev: string;
  slot: number | undefined;
  state: string[];
}

export interface FakeArray {
  name: string;
  uuid: string;
  level: 'raid0' | 'raid1';
  raidDisks: number;
  members: FakeMember[];
  readonly: boolean;
  bitmap: boolean;
  syncAction: string;
  syncDone?: number;
  syncTotal?: number;
  sizeBytes: number;
  componentSizeKiB: number;
  dataOffsetSectors: number;
  /** md/bitmap/time_base in seconds (md's default 5); the daemon shortens it while frozen. */
  bitmapTimeBase?: number;
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');
let uuidCounter = 1;
export function fakeUuid(tag: number): string {
  return `${hex(0xba75c000 + tag)}${hex(uuidCounter++)}${hex(tag)}${hex(0xfeed)}`;
}

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
  private waiters = new Map<string, Array<() => void>>();
  hdparmWorks = false;
  livePool: string;
  /** Extra delay per command, to model command time (excluded from overhead figures). */
  commandDelayMs = 0;
  commandTimeMs = 0;
  loops = new Map<string, { dev: string; offset: number }>();
  /** Mirrors that lost their external half at least once (their bitmap then tracks writes). */
  everDetached = new Set<string>();
  private seq = 1;

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

  private wake(name: string): void {
    for (const w of this.waiters.get(name) ?? []) w();
    this.waiters.delete(name);
  }

  degraded(a: FakeArray): number {
    return a.level === 'raid1' ? a.raidDisks - a.members.filter((m) => m.state.includes('in_sync')).length : 0;
  }

  // ---- mirroring into files ------------------------------------------------------------

  sync(): void {
    const sys = this.path('sys/block');
    for (const e of readdirSync(sys))
      if (e.startsWith('md') && !this.arrays.has(e)) rmSync(join(sys, e), { recursive: true, force: true });
    const lines = ['Personalities : [raid0] [raid1] '];
    for (const a of [...this.arrays.values()].sort((x, y) => y.name.localeCompare(x.name))) {
      const md = join(sys, a.name, 'md');
      rmSync(join(sys, a.name), { recursive: true, force: true });
      mkdirSync(md, { recursive: true });
      const w = (f: string, v: string | number): void => writeFileSync(join(md, f), `${v}\n`);
      w('array_state', a.readonly ? 'readonly' : 'clean');
      w('level', a.level);
      w('raid_disks', a.raidDisks);
      w('degraded', this.degraded(a));
      w('sync_action', a.syncAction);
      w('sync_completed', a.syncDone !== undefined ? `${a.syncDone} / ${a.syncTotal}` : 'none');
      w('sync_speed', a.syncAction === 'idle' ? 0 : 20000);
      w('component_size', a.componentSizeKiB);
      if (a.bitmap) {
        mkdirSync(join(md, 'bitmap'), { recursive: true });
        writeFileSync(join(md, 'bitmap', 'location'), '+8\n');
        writeFileSync(join(md, 'bitmap', 'time_base'), `${a.bitmapTimeBase ?? 5}\n`);
      }
      writeFileSync(join(sys, a.name, 'size'), `${a.sizeBytes / 512}\n`);
      for (const m of a.members) {
        mkdirSync(join(md, `dev-${m.dev}`), { recursive: true });
        writeFileSync(join(md, `dev-${m.dev}`, 'state'), `${m.state.join(',')}\n`);
        writeFileSync(join(md, `dev-${m.dev}`, 'slot'), `${m.slot ?? 'none'}\n`);
      }
      const members = a.members
        .map((m) => `${m.dev}[${m.slot ?? a.raidDisks + 1}]${m.state.includes('faulty') ? '(F)' : ''}`)
        .join(' ');
      lines.push(`${a.name} : active${a.readonly ? ' (read-only)' : ''} ${a.level} ${members}`);
      const health =
        a.level === 'raid1'
          ? ` [${a.raidDisks}/${a.raidDisks - this.degraded(a)}] [${'U'.repeat(a.raidDisks - this.degraded(a))}${'_'.repeat(this.degraded(a))}]`
          : ' 512k chunks';
      lines.push(`      ${a.sizeBytes / 1024} blocks super 1.2${health}`);
      if (a.syncAction !== 'idle' && a.syncDone !== undefined) {
        const pct = (100 * a.syncDone) / (a.syncTotal ?? 1);
        lines.push(
          `      [=>...................]  recovery = ${pct.toFixed(1)}% (${a.syncDone / 2}/${(a.syncTotal ?? 0) / 2}) finish=0.4min speed=20000K/sec`,
        );
      }
      if (a.bitmap) lines.push('      bitmap: 0/1 pages [0KB], 65536KB chunk');
      lines.push('      ');
      // device node with nested superblocks for the read-only verification walk
      const content = this.stripeContent.get(a.uuid);
      this.writeDevNode(a.name, content, a);
    }
    lines.push('unused devices: <none>', '');
    writeFileSync(this.path('proc/mdstat'), lines.join('\n'));
    for (const e of readdirSync(sys))
      if (!e.startsWith('md') && !this.disks.has(e)) rmSync(join(sys, e), { recursive: true, force: true });
    for (const d of this.disks.values()) {
      mkdirSync(join(sys, d.name, 'device'), { recursive: true });
      writeFileSync(join(sys, d.name, 'device', 'delete'), '');
      writeFileSync(join(sys, d.name, 'size'), `${d.sizeBytes / 512}\n`);
      for (const [i, p] of d.parts.entries()) {
        mkdirSync(join(sys, d.name, p.name), { recursive: true });
        writeFileSync(join(sys, d.name, p.name, 'partition'), `${i + 1}\n`);
        writeFileSync(join(sys, d.name, p.name, 'size'), `${p.sizeBytes / 512}\n`);
      }
      writeFileSync(this.path(`dev/${d.name}`), Buffer.alloc(0));
      for (const p of d.parts) {
        // The partition's device node: an md v1.2 superblock 4 KiB in, as mdadm writes it.
        const buf = Buffer.alloc(p.sb ? 8192 : 0);
        if (p.sb)
          writeSb(
            buf,
            4096,
            p.sb.uuid,
            p.sb.level === 'raid0' ? 0 : 1,
            2048,
            p.sb.raidDevices,
            p.sb.devUuid,
            p.sb.events,
          );
        writeFileSync(this.path(`dev/${p.name}`), buf);
      }
    }
    mkdirSync(this.path('proc/self'), { recursive: true });
    // Running BackupPC_dump processes, as /proc shows them.
    for (const e of readdirSync(this.path('proc')))
      if (/^\d+$/.test(e)) rmSync(this.path(`proc/${e}`), { recursive: true, force: true });
    for (let i = 0; i < this.runningDumps; i++) {
      mkdirSync(this.path(`proc/${9000 + i}`), { recursive: true });
      writeFileSync(this.path(`proc/${9000 + i}/comm`), 'BackupPC_dump\n');
    }
    const mounts = [this.livePool, ...this.mounted].map(
      (m, i) => `${30 + i} 1 9:7 / ${m.replace(/ /g, '\\040')} rw,relatime shared:1 - xfs /dev/md7 rw`,
    );
    writeFileSync(this.path('proc/self/mountinfo'), `${mounts.join('\n')}\n`);
  }

  /** /dev/<md>: for stripes, a superblock of the mirror at 4 KiB and of the top mirror one data offset further. */
  topUuid: string | undefined;
  private writeDevNode(name: string, content: Superblock | undefined, a: FakeArray): void {
    if (!content) {
      writeFileSync(this.path(`dev/${name}`), Buffer.alloc(0));
      return;
    }
    const lvl = content.level === 'raid0' ? 0 : 1;
    const off1 = 2048 * 512;
    const buf = Buffer.alloc(off1 + 8192);
    writeSb(buf, 4096, content.uuid, lvl, a.dataOffsetSectors, content.raidDevices, content.devUuid, content.events);
    if (content.partlyRecovered) buf.writeUInt32LE(2, 4096 + 8);
    if (this.topUuid) writeSb(buf, off1 + 4096, this.topUuid, 1, 2048);
    writeFileSync(this.path(`dev/${name}`), buf);
  }

  // ---- CommandRunner ---------------------------------------------------------------------

  spawnLongLived(argv: string[]): LongLived {
    this.calls.push(argv);
    let resolve: (n: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (resolve = r));
    return { pid: 4242, kill: () => resolve(0), exited };
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
    else res = await this.handle(argv, opts);
    const r: RunResult = { argv, exitCode: res.code, stdout: res.out ?? '', stderr: res.err ?? '', durationMs: 0 };
    if (res.code !== 0 && !opts.allowFailure) throw new CommandError(argv, res.code, r.stderr, r.stdout);
    return r;
  }

  private partByName(dev: string): FakePart | undefined {
    for (const d of this.disks.values()) for (const p of d.parts) if (p.name === dev) return p;
    return undefined;
  }

  private async handle(argv: string[], opts: RunOptions): Promise<{ code: number; out?: string; err?: string }> {
    const [cmd, ...a] = argv;
    const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
    switch (cmd) {
      case 'mdadm':
        return this.mdadm(a, opts);
      case 'systemctl': {
        if (a[0] === 'is-active') return { code: this.backuppcActive ? 0 : 3 };
        if (a[0] === 'stop') this.backuppcActive = false;
        if (a[0] === 'start') this.backuppcActive = true;
        return { code: 0 };
      }
      case 'pgrep':
        return { code: this.runningDumps ? 0 : 1, out: `${this.runningDumps}\n` };
      case 'runuser':
        return this.backuppcActive
          ? { code: 0 }
          : { code: 1, err: "Can't connect to server (unix connect: No such file or directory)" };
      case 'fsfreeze':
        if (a[0] === '--freeze') {
          if (this.frozen) return { code: 1, err: 'fsfreeze: /pool: freeze failed: Device or resource busy' };
          this.frozen = true;
        } else {
          if (!this.frozen) return { code: 1, err: 'fsfreeze: /pool: unfreeze failed: Invalid argument' };
          this.frozen = false;
        }
        return { code: 0 };
      case 'sync':
      case 'mkdir':
        if (cmd === 'mkdir') mkdirSync(a[a.length - 1]!, { recursive: true });
        return { code: 0 };
      case 'mountpoint':
        return { code: a[1] === this.livePool || this.mounted.has(a[1]!) ? 0 : 1 };
      case 'losetup': {
        if (a.includes('--associated')) {
          const target = dev(a[a.length - 1]);
          return {
            code: 0,
            out: [...this.loops.entries()]
              .filter(([, v]) => v.dev === target)
              .map(([k]) => `/dev/${k}\n`)
              .join(''),
          };
        }
        if (a[0] === '--detach') {
          this.loops.delete(dev(a[1]));
          return { code: 0 };
        }
        const off = Number((a.find((x) => x.startsWith('--offset=')) ?? '--offset=0').slice(9));
        const name = `loop${this.seq++}`;
        if (!a.includes('--read-only')) return { code: 1, err: 'test fake: loop maps must be read-only' };
        this.loops.set(name, { dev: dev(a[a.length - 1]), offset: off });
        return { code: 0, out: `/dev/${name}\n` };
      }
      case 'mount': {
        const target = a[a.length - 1]!;
        const o = a[a.indexOf('-o') + 1] ?? '';
        if (o.startsWith('remount')) return { code: 0 };
        if (!o.split(',').includes('ro')) return { code: 1, err: 'test fake: copies are only ever mounted read-only' };
        if (o.split(',').includes('loop')) {
          // mount's own loop device, read-only with the mount: it must start where the filesystem does.
          const src = this.arrays.get(dev(a[a.length - 2]));
          const want = src ? (src.dataOffsetSectors + (this.topUuid ? 2048 : 0)) * 512 : 0;
          const got = Number(/(?:^|,)offset=(\d+)/.exec(o)?.[1] ?? 0);
          if (got !== want)
            return {
              code: 32,
              err: `mount: test fake: wrong fs type, bad option, bad superblock (loop offset ${got}, the filesystem starts at ${want})`,
            };
        }
        // The copy: what the live pool held when it was detached.
        mkdirSync(target, { recursive: true });
        cpSync(this.livePool, target, { recursive: true });
        this.mounted.add(target);
        return { code: 0 };
      }
      case 'umount': {
        const target = a[a.length - 1]!;
        if (this.mounted.has(target)) {
          rmSync(target, { recursive: true, force: true });
          this.mounted.delete(target);
        }
        return { code: 0 };
      }
      case 'hdparm':
        return this.hdparmWorks ? { code: 0 } : { code: 0, err: 'SG_IO: bad/missing sense data, sb[]:  70 00 05 00' };
      case 'sdparm':
        return { code: 0 };
      case 'systemd-notify':
      case 'uname':
        return { code: 0, out: '6.1.0-test\n' };
      default:
        return { code: 127, err: `test fake: unknown command ${cmd}` };
    }
  }

  private async mdadm(a: string[], opts: RunOptions): Promise<{ code: number; out?: string; err?: string }> {
    const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
    if (a[0] === '--examine' && a[1] === '--export') {
      const name = dev(a[2]);
      const p = this.partByName(name);
      const arr = this.arrays.get(name);
      const sb = p?.sb ?? (arr ? this.stripeContent.get(arr.uuid) : undefined);
      if (!sb) return { code: 1, err: `mdadm: No md superblock detected on /dev/${name}.` };
      return {
        code: 0,
        out: `MD_LEVEL=${sb.level}\nMD_DEVICES=${sb.raidDevices}\nMD_NAME=${sb.name}\nMD_UUID=${mdadmUuid(sb.uuid)}\nMD_UPDATE_TIME=1763781234\nMD_DEV_UUID=${mdadmUuid(sb.devUuid)}\nMD_EVENTS=${sb.events}\n`,
      };
    }
    if (a[0] === '--zero-superblock') {
      const arr = this.arrays.get(dev(a[1]));
      if (arr) this.stripeContent.set(arr.uuid, undefined);
      this.sync();
      return { code: 0 };
    }
    if (a[0] === '--examine-bitmap') {
      // Dirty while a mirror runs degraded after its external half left; clean once it synced.
      const up = [...this.arrays.values()].find((x) => x.members.some((m) => m.dev === dev(a[1])));
      const dirty = up && this.degraded(up) > 0 && this.everDetached.has(up.name) ? 1 : 0;
      return {
        code: 0,
        out: `        Filename : ${a[1]}\n       Chunksize : 64 MB\n          Bitmap : 7 bits (chunks), ${dirty} dirty (${((dirty / 7) * 100).toFixed(1)}%)\n`,
      };
    }
    if (a[0] === '--examine') return { code: 0, out: '    Data Offset : 2048 sectors\n' };
    if (a[0] === '--detail' && a[1] === '--export') {
      const x = this.arrays.get(dev(a[2]));
      if (!x) return { code: 1, err: `mdadm: cannot open ${a[2]}: No such file or directory` };
      const members = x.members
        .map(
          (m) =>
            `MD_DEVICE_dev_${m.dev}_ROLE=${m.state.includes('faulty') ? 'faulty' : (m.slot ?? 'spare')}\nMD_DEVICE_dev_${m.dev}_DEV=/dev/${m.dev}\n`,
        )
        .join('');
      return {
        code: 0,
        out: `MD_LEVEL=${x.level}\nMD_DEVICES=${x.raidDisks}\nMD_METADATA=1.2\nMD_UUID=${mdadmUuid(x.uuid)}\nMD_DEVNAME=${x.name.slice(2)}\nMD_NAME=lab:${x.name.slice(2)}\n${members}`,
      };
    }
    if (a[0] === '--assemble') {
      const name = dev(a[1]);
      const uuid = normalizeUuid(a.find((x) => x.startsWith('--uuid='))!.slice(7));
      const devs = a
        .filter((x) => x.startsWith('/dev/'))
        .slice(1)
        .map(dev);
      if (this.arrays.has(name)) return { code: 1, err: `mdadm: ${a[1]} is already in use.` };
      const parts = devs.map((d) => this.partByName(d));
      if (parts.some((p) => !p || p.sb?.uuid !== uuid))
        return { code: 1, err: 'mdadm: no devices found for the array' };
      const size = parts.reduce((s, p) => s + p!.sizeBytes, 0) - 2 * 1024 * 1024;
      this.addArray({
        name,
        uuid,
        level: 'raid0',
        raidDisks: devs.length,
        sizeBytes: size,
        componentSizeKiB: 0,
        members: devs.map((d, i) => ({ dev: d, slot: i, state: ['in_sync'] })),
        readonly: a.includes('--readonly'),
      });
      return { code: 0, out: `mdadm: ${a[1]} has been started with ${devs.length} drives.\n` };
    }
    if (a[0] === '--stop') {
      const name = dev(a[1]);
      if (!this.arrays.has(name)) return { code: 1, err: `mdadm: error opening ${a[1]}: No such file or directory` };
      if ([...this.arrays.values()].some((x) => x.members.some((m) => m.dev === name && !m.state.includes('faulty'))))
        return {
          code: 1,
          err: `mdadm: Cannot get exclusive access to ${a[1]}: Perhaps a running process, mounted filesystem or active volume group?`,
        };
      this.arrays.delete(name);
      this.sync();
      return { code: 0 };
    }
    if (a[0] === '--wait') {
      const x = this.arrays.get(dev(a[1]));
      if (!x || x.syncAction === 'idle') return { code: 1 };
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(x.name) ?? [];
        list.push(resolve);
        this.waiters.set(x.name, list);
        opts.signal?.addEventListener('abort', () => resolve());
      });
      return { code: 0 };
    }
    // manage mode: mdadm /dev/mdX --op /dev/Y [--op /dev/Z …], applied in order, stopping at an error
    if (!this.arrays.get(dev(a[0]))) return { code: 1, err: `mdadm: cannot open ${a[0]}` };
    let last: { code: number; out?: string; err?: string } = { code: 0 };
    for (let i = 1; i + 1 < a.length; i += 2) {
      last = this.manage(a[0]!, a[i]!, a[i + 1]!);
      if (last.code !== 0) return last;
    }
    return last;
  }

  private manage(mdArg: string, op: string, devArg: string): { code: number; out?: string; err?: string } {
    const a = [mdArg, op, devArg];
    const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
    const target = this.arrays.get(dev(a[0]))!;
    const member = dev(a[2]);
    if (op === '--re-add' || op === '--add') {
      const inner = this.arrays.get(member)
        ? this.stripeContent.get(this.arrays.get(member)!.uuid)
        : this.partByName(member)?.sb;
      if (op === '--re-add' && (!inner || inner.uuid !== target.uuid))
        return { code: 1, err: `mdadm: --re-add for ${a[2]} to ${a[0]} is not possible` };
      const free = [...Array(target.raidDisks).keys()].find(
        (s) => !target.members.some((m) => m.slot === s && !m.state.includes('faulty')),
      );
      target.members = target.members.filter((m) => m.dev !== member);
      target.members.push({ dev: member, slot: free, state: ['spare'] });
      target.syncAction = 'recover';
      target.syncDone = 0;
      target.syncTotal = target.componentSizeKiB * 2;
      const sb: Superblock = {
        uuid: target.uuid,
        level: target.level,
        raidDevices: target.raidDisks,
        devUuid: inner?.devUuid ?? fakeUuid(0x77),
        events: (inner?.events ?? 0) + 1,
        name: `lab:${target.name.slice(2)}`,
      };
      const arr = this.arrays.get(member);
      if (arr) this.stripeContent.set(arr.uuid, sb);
      else {
        const p = this.partByName(member);
        if (p) p.sb = sb;
      }
      this.sync();
      return { code: 0, out: `mdadm: ${op === '--re-add' ? 're-added' : 'added'} ${a[2]}\n` };
    }
    if (op === '--fail') {
      const m = target.members.find((x) => x.dev === member);
      if (!m) return { code: 1, err: `mdadm: set device faulty failed for ${a[2]}:  No such device` };
      m.state = ['faulty'];
      if (target.syncAction !== 'idle') {
        target.syncAction = 'idle';
        target.syncDone = undefined;
        this.wake(target.name);
      }
      this.sync();
      return { code: 0 };
    }
    if (op === '--remove') {
      const m = target.members.find((x) => x.dev === member);
      if (!m) return { code: 1, err: `mdadm: hot remove failed for ${a[2]}: No such device or address` };
      if (!m.state.includes('faulty'))
        return { code: 1, err: `mdadm: hot remove failed for ${a[2]}: Device or resource busy` };
      target.members = target.members.filter((x) => x.dev !== member);
      this.everDetached.add(target.name);
      this.sync();
      return { code: 0 };
    }
    return { code: 1, err: `test fake: unsupported mdadm ${a.join(' ')}` };
  }
}

function writeSb(
  buf: Buffer,
  at: number,
  uuid: string,
  level: number,
  dataOffsetSectors: number,
  raidDisks = 2,
  devUuid?: string,
  events = 0,
): void {
  buf.writeUInt32LE(mdV1Magic, at);
  buf.writeUInt32LE(1, at + 4);
  Buffer.from(normalizeUuid(uuid), 'hex').copy(buf, at + 16);
  buf.writeInt32LE(level, at + 72);
  buf.writeUInt32LE(raidDisks, at + 92);
  buf.writeBigUInt64LE(BigInt(dataOffsetSectors), at + 128);
  if (devUuid) Buffer.from(normalizeUuid(devUuid), 'hex').copy(buf, at + 168);
  buf.writeBigUInt64LE(BigInt(events), at + 200);
}

/** The seed-000 topology: internal md3/md4 under degraded md5/md6 under md7; sets A (md8) and B (md9). */
export interface LabLike {
  sys: FakeSystem;
  uuids: Record<'md1' | 'md3' | 'md4' | 'md5' | 'md6' | 'md7' | 'md8' | 'md9', string>;
  configToml: string;
  configPath: string;
}

export function seedTopology(
  opts: { stopWhenIdle?: boolean; rootMirror?: boolean; smtpPort?: number; extra?: string } = {},
): LabLike {
  const sys = new FakeSystem();
  const u = {
    md1: fakeUuid(1),
    md3: fakeUuid(3),
    md4: fakeUuid(4),
    md5: fakeUuid(5),
    md6: fakeUuid(6),
    md7: fakeUuid(7),
    md8: fakeUuid(8),
    md9: fakeUuid(9),
  };
  sys.topUuid = u.md7;
  const MiB = 1024 * 1024;
  for (const [i, d] of ['sda', 'sdb', 'sdc', 'sdd'].entries()) {
    sys.addDisk(d, 256 * MiB, [
      { sizeBytes: 32 * MiB, sb: sys.sb(u.md1, 'raid1', 6, 'lab:1') },
      { sizeBytes: 222 * MiB, sb: sys.sb(i < 2 ? u.md3 : u.md4, 'raid0', 2, `lab:${i < 2 ? 3 : 4}`) },
    ]);
  }
  sys.addArray({
    name: 'md1',
    uuid: u.md1,
    level: 'raid1',
    raidDisks: 6,
    sizeBytes: 31 * MiB,
    componentSizeKiB: 31 * 1024,
    members: ['sda1', 'sdb1', 'sdc1', 'sdd1'].map((d, i) => ({ dev: d, slot: i, state: ['in_sync'] })),
  });
  sys.addArray({
    name: 'md3',
    uuid: u.md3,
    level: 'raid0',
    raidDisks: 2,
    sizeBytes: 442 * MiB,
    componentSizeKiB: 0,
    members: [
      { dev: 'sda2', slot: 0, state: ['in_sync'] },
      { dev: 'sdb2', slot: 1, state: ['in_sync'] },
    ],
  });
  sys.addArray({
    name: 'md4',
    uuid: u.md4,
    level: 'raid0',
    raidDisks: 2,
    sizeBytes: 442 * MiB,
    componentSizeKiB: 0,
    members: [
      { dev: 'sdc2', slot: 0, state: ['in_sync'] },
      { dev: 'sdd2', slot: 1, state: ['in_sync'] },
    ],
  });
  sys.addArray({
    name: 'md5',
    uuid: u.md5,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 440 * MiB,
    componentSizeKiB: 440 * 1024,
    members: [{ dev: 'md3', slot: 0, state: ['in_sync'] }],
  });
  sys.addArray({
    name: 'md6',
    uuid: u.md6,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 440 * MiB,
    componentSizeKiB: 440 * 1024,
    members: [{ dev: 'md4', slot: 0, state: ['in_sync'] }],
  });
  sys.addArray({
    name: 'md7',
    uuid: u.md7,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 438 * MiB,
    componentSizeKiB: 438 * 1024,
    bitmap: false,
    members: [
      { dev: 'md5', slot: 0, state: ['in_sync'] },
      { dev: 'md6', slot: 1, state: ['in_sync'] },
    ],
  });
  const configPath = sys.path('baysync.toml');
  const configToml = `
[storage]
top_mirror_uuid = "${mdadmUuid(u.md7)}"
mountpoint = "${sys.livePool}"
marker_dir = "pc"
${opts.rootMirror === false ? '' : `[root_mirror]\nuuid = "${mdadmUuid(u.md1)}"\npartition = 1\n`}
[[sets]]
name = "A"
stripe_uuid = "${mdadmUuid(u.md8)}"
mirror_uuid = "${mdadmUuid(u.md5)}"
stripe_device = "md8"

[[sets]]
name = "B"
stripe_uuid = "${mdadmUuid(u.md9)}"
mirror_uuid = "${mdadmUuid(u.md6)}"
stripe_device = "md9"

[backuppc]
control_include = "${sys.path('etc/backuppc/external-control.pl')}"
stop_when_idle = ${opts.stopWhenIdle ?? true}

[mail]
to = ["operator@example.test"]
from = "baysync@example.test"
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = ${opts.smtpPort ?? 2525}

[paths]
state_dir = "${sys.path('state')}"
run_dir = "${sys.path('run')}"
sysfs = "${sys.path('sys')}"
proc = "${sys.path('proc')}"
dev = "${sys.path('dev')}"
verify_dir = "${sys.path('verify')}"
${opts.extra ?? ''}
`;
  writeFileSync(configPath, configToml);
  return { sys, uuids: u, configToml, configPath };
}

/** Plug in an external set: two disks with a root-mirror partition and a stripe member each. */
export function plugSet(
  lab: LabLike,
  set: 'A' | 'B',
  disks: [string, string] = set === 'A' ? ['sde', 'sdf'] : ['sdg', 'sdh'],
  sizeBytes = 256 * 1024 * 1024,
): void {
  const stripeUuid = set === 'A' ? lab.uuids.md8 : lab.uuids.md9;
  const MiB = 1024 * 1024;
  for (const d of disks) {
    lab.sys.addDisk(d, sizeBytes, [
      { sizeBytes: 32 * MiB },
      { sizeBytes: sizeBytes - 34 * MiB, sb: lab.sys.sb(stripeUuid, 'raid0', 2, `lab:${set === 'A' ? 8 : 9}`) },
    ]);
  }
}
