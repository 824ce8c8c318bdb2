// md adapter: reads array state from /proc/mdstat and sysfs (files, no commands) and runs
// mdadm through the CommandRunner for everything that changes state. Contract: no decisions
// here (the planner decides); every device name passed in is validated; each mutating call
// is a single mdadm invocation whose failure throws CommandError with mdadm's stderr.
import { open, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRunner } from './runner.js';
import { devPath, kernelName, mdadmUuid } from '../util/names.js';
import { parseMdstat } from './parsers/mdstat.js';
import { parseDetailExport, parseExamineExport, type MdDetail, type MdExamine } from './parsers/mdadm-export.js';
import { parseDevState, parseIntAttr, parseSlot, parseSyncCompleted, type SyncProgress } from './parsers/md-sysfs.js';
import { endSuperblockOffsets, levelName, mdV1Magic, parseMdSuperblockV1, superblockProbeOffsets } from './parsers/md-superblock.js';
import { normalizeUuid } from '../util/names.js';

export interface MdMemberState {
  dev: string;
  slot?: number;
  state: string[]; // in_sync, faulty, spare, write_mostly, blocked, …
}

export interface MdArrayState {
  name: string; // md5
  uuid?: string; // from mdadm --detail --export (undefined for inactive arrays mdadm cannot read)
  level?: string;
  active: boolean;
  readonly: boolean;
  arrayState?: string; // clean, active, active-idle, readonly, read-auto, inactive, …
  raidDisks?: number;
  degraded?: number;
  syncAction?: string; // idle, resync, recover, check, repair, frozen
  syncCompleted?: SyncProgress;
  syncSpeedKps?: number;
  componentSizeKiB?: number;
  sizeBytes?: number;
  members: MdMemberState[];
}

// sysfs and procfs reads are synchronous: they are memory-backed and never block, and one
// synchronous call costs a fraction of an async open/read/close round trip (measured in the lab
// VM: a full facts read went from 750–1150 ms to 170–240 ms; see docs/design.md).
function readAttr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export class MdAdapter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly sysfs = '/sys',
    private readonly proc = '/proc',
    private readonly dev = '/dev',
  ) {}

  /**
   * UUIDs of arrays this process assembled itself, with the members it gave mdadm: right after an
   * assembly udev has not yet made the md-uuid link, and `mdadm --detail` costs a process on the
   * rotation's critical path. Used only while sysfs lists exactly those members.
   */
  private assembled = new Map<string, { uuid: string; members: string[] }>();

  private uuidFromAssembly(name: string, members: MdMemberState[]): string | undefined {
    const a = this.assembled.get(name);
    if (!a) return undefined;
    const now = members.map((m) => m.dev).sort();
    if (now.length === a.members.length && now.every((d, i) => d === a.members[i])) return a.uuid;
    this.assembled.delete(name);
    return undefined;
  }

  /** md UUID -> array name from udev's /dev/disk/by-id/md-uuid-* links (no process spawned). */
  private uuidsById(): Map<string, string> {
    const out = new Map<string, string>();
    const dir = join(this.dev, 'disk', 'by-id');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.startsWith('md-uuid-'));
    } catch {
      return out;
    }
    for (const n of names) {
      try {
        const target = readlinkSync(join(dir, n)).split('/').pop() ?? '';
        if (/^md\d+$/.test(target)) out.set(target, normalizeUuid(n.slice('md-uuid-'.length)));
      } catch {
        // a link that vanished meanwhile
      }
    }
    return out;
  }

  /**
   * The md superblock of a device, read directly (v1.1/1.2: no process spawned); mdadm
   * --examine only when a 0.90/1.0 superblock sits at the end or the node cannot be read.
   */
  async probe(dev: string, sizeBytes: number): Promise<MdExamine | undefined> {
    let fh;
    try {
      fh = await open(join(this.dev, kernelName(dev)), 'r');
    } catch {
      return this.examine(dev);
    }
    try {
      const buf = Buffer.alloc(4096);
      for (const off of superblockProbeOffsets) {
        const { bytesRead } = await fh.read(buf, 0, 4096, off);
        const sb = bytesRead === 4096 ? parseMdSuperblockV1(buf) : undefined;
        if (sb) return { level: levelName(sb.level), raidDevices: sb.raidDisks, uuid: sb.uuid, devUuid: sb.devUuid, name: sb.name, events: sb.events, partlyRecovered: sb.partlyRecovered, raw: {} };
      }
      for (const off of endSuperblockOffsets(sizeBytes)) {
        const { bytesRead } = await fh.read(buf, 0, 4, off);
        if (bytesRead === 4 && (buf.readUInt32LE(0) === mdV1Magic || buf.readUInt32BE(0) === mdV1Magic)) return this.examine(dev);
      }
      return undefined;
    } finally {
      await fh.close();
    }
  }

  async readMdstat(): Promise<string> {
    return readFileSync(join(this.proc, 'mdstat'), 'utf8');
  }

  /** State of one array from sysfs (no UUID: see detail()). */
  async sysfsState(name: string): Promise<Omit<MdArrayState, 'uuid' | 'active' | 'readonly'> & { present: boolean }> {
    const md = join(this.sysfs, 'block', kernelName(name), 'md');
    const attr = (a: string): string | undefined => readAttr(join(md, a));
    const arrayState = attr('array_state');
    if (arrayState === undefined) return { name, present: false, members: [] };
    const members: MdMemberState[] = [];
    let entries: string[] = [];
    try {
      entries = readdirSync(md);
    } catch {
      entries = [];
    }
    for (const e of entries) {
      const m = /^dev-([a-z0-9]+)$/.exec(e);
      if (!m) continue;
      const st = readAttr(join(md, e, 'state'));
      const slot = readAttr(join(md, e, 'slot'));
      members.push({ dev: m[1]!, slot: slot === undefined ? undefined : parseSlot(slot), state: parseDevState(st ?? '') });
    }
    const size = readAttr(join(this.sysfs, 'block', name, 'size'));
    const num = (a: string): number | undefined => {
      const v = attr(a);
      return v === undefined ? undefined : parseIntAttr(v);
    };
    const sc = attr('sync_completed');
    return {
      name,
      present: true,
      arrayState,
      level: attr('level'),
      raidDisks: num('raid_disks'),
      degraded: num('degraded'),
      syncAction: attr('sync_action'),
      syncCompleted: sc === undefined ? undefined : parseSyncCompleted(sc),
      syncSpeedKps: num('sync_speed'),
      componentSizeKiB: num('component_size'),
      sizeBytes: size === undefined ? undefined : Number(size) * 512,
      members,
    };
  }

  /** Every array the kernel knows, with UUIDs (one `mdadm --detail --export` per active array). */
  async listArrays(): Promise<MdArrayState[]> {
    const out: MdArrayState[] = [];
    const byId = this.uuidsById();
    for (const a of parseMdstat(await this.readMdstat())) {
      const s = await this.sysfsState(a.name);
      let uuid: string | undefined = byId.get(a.name) ?? (a.active ? this.uuidFromAssembly(a.name, s.members) : undefined);
      if (a.active && !uuid) uuid = (await this.detail(a.name).catch(() => undefined))?.uuid;
      const { present: _p, ...rest } = s;
      out.push({ ...rest, name: a.name, uuid, active: a.active, readonly: a.readonly, level: s.level ?? a.level, members: s.members.length ? s.members : a.members.map((m) => ({ dev: m.dev, slot: m.slot, state: [m.faulty ? 'faulty' : m.spare ? 'spare' : 'in_sync'] })) });
    }
    return out;
  }

  /** Let md resume resync/recovery on an array left "frozen" (mdadm freezes it while it adds a member). */
  async unfreeze(name: string): Promise<void> {
    await writeFile(join(this.sysfs, 'block', kernelName(name), 'md', 'sync_action'), 'idle');
  }

  /** md's bitmap daemon period (seconds): how soon clean chunks are cleared in the bitmap. */
  async bitmapTimeBase(name: string): Promise<number | undefined> {
    const v = readAttr(join(this.sysfs, 'block', kernelName(name), 'md', 'bitmap', 'time_base'));
    return v === undefined ? undefined : parseIntAttr(v);
  }

  async setBitmapTimeBase(name: string, seconds: number): Promise<void> {
    await writeFile(join(this.sysfs, 'block', kernelName(name), 'md', 'bitmap', 'time_base'), String(seconds));
  }

  async detail(name: string): Promise<MdDetail> {
    const r = await this.runner.run(['mdadm', '--detail', '--export', devPath(name)], { quiet: true, timeoutMs: 15_000 });
    return parseDetailExport(r.stdout);
  }

  /** undefined when the device carries no md superblock. */
  async examine(dev: string): Promise<MdExamine | undefined> {
    const r = await this.runner.run(['mdadm', '--examine', '--export', devPath(dev)], { quiet: true, allowFailure: true, timeoutMs: 15_000 });
    if (r.exitCode !== 0) return undefined;
    return parseExamineExport(r.stdout);
  }

  /** Assemble an array explicitly by UUID from the given devices (never --scan). */
  async assemble(name: string, uuid: string, devices: string[], opts: { readonly?: boolean } = {}): Promise<void> {
    await this.runner.run([
      'mdadm', '--assemble', devPath(name), `--uuid=${mdadmUuid(uuid)}`, ...(opts.readonly ? ['--readonly'] : []), '--run',
      ...devices.map((d) => devPath(d)),
    ], { timeoutMs: 60_000 });
    this.assembled.set(kernelName(name), { uuid: normalizeUuid(uuid), members: devices.map((d) => kernelName(d)).sort() });
  }

  /** A re-add that md may refuse (a new member): returns mdadm's refusal instead of logging a failure. */
  async tryReAdd(mirror: string, dev: string): Promise<{ ok: true } | { ok: false; why: string }> {
    const r = await this.runner.run(['mdadm', devPath(mirror), '--re-add', devPath(dev)], { timeoutMs: 60_000, allowFailure: true });
    return r.exitCode === 0 ? { ok: true } : { ok: false, why: r.stderr.trim() || `exit ${r.exitCode}` };
  }

  /** Erase a member's md superblock (only ever called on a configured set's own stripe). */
  async zeroSuperblock(dev: string): Promise<void> {
    await this.runner.run(['mdadm', '--zero-superblock', devPath(dev)], { timeoutMs: 60_000 });
  }

  async add(mirror: string, dev: string): Promise<void> {
    await this.runner.run(['mdadm', devPath(mirror), '--add', devPath(dev)], { timeoutMs: 60_000 });
  }

  /**
   * Fail and remove members: one `mdadm MD --fail D --remove D …` for all of them. When that
   * call fails (a member already faulty or gone), the members still listed in sysfs are done
   * one call at a time, so the error names the member that could not be removed.
   */
  async failAndRemove(mirror: string, devs: string | string[]): Promise<void> {
    const list = typeof devs === 'string' ? [devs] : devs;
    if (!list.length) return;
    const all = await this.runner.run(['mdadm', devPath(mirror), ...list.flatMap((d) => ['--fail', devPath(d), '--remove', devPath(d)])], { timeoutMs: 60_000, allowFailure: true });
    if (all.exitCode === 0) return;
    const still = new Set((await this.sysfsState(mirror)).members.map((m) => m.dev));
    for (const dev of list.filter((d) => still.has(kernelName(d)))) {
      await this.runner.run(['mdadm', devPath(mirror), '--fail', devPath(dev)], { timeoutMs: 60_000, allowFailure: true });
      await this.runner.run(['mdadm', devPath(mirror), '--remove', devPath(dev)], { timeoutMs: 60_000 });
    }
  }

  async stop(name: string): Promise<void> {
    this.assembled.delete(kernelName(name));
    await this.runner.run(['mdadm', '--stop', devPath(name)], { timeoutMs: 60_000 });
  }

  /** Blocks until any resync/recovery on the array has finished (mdadm --wait; exit 1 = nothing to wait for). */
  async waitIdle(name: string, signal?: AbortSignal): Promise<void> {
    await this.runner.run(['mdadm', '--wait', devPath(name)], { timeoutMs: 7 * 24 * 3600_000, signal, allowFailure: true, quiet: true });
  }
}
