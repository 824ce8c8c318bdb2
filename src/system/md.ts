// md adapter: reads array state from /proc/mdstat and sysfs (files, no commands) and runs
// mdadm through the CommandRunner for everything that changes state. Contract: no decisions
// here (the planner decides); every device name passed in is validated; each mutating call
// is a single mdadm invocation whose failure throws CommandError with mdadm's stderr.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../log.js';
import { devPath, kernelName, normalizeUuid } from '../util/names.js';
import { nestedDataOffset, readSuperblock } from './md-probe.js';
import { parseBitmapDirtyBytes } from './parsers/md-superblock.js';
import { parseDevState, parseIntAttr, parseSlot, parseSyncCompleted, type SyncProgress } from './parsers/md-sysfs.js';
import { type MdDetail, type MdExamine, parseDetailExport, parseExamineExport } from './parsers/mdadm-export.js';
import { parseMdstat } from './parsers/mdstat.js';
import type { CommandRunner } from './runner.js';

const hungRetryMs = 10 * 60_000;

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
  /** md's bitmap daemon period in seconds (md/bitmap/time_base), when the array has a bitmap. */
  bitmapTimeBase?: number;
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
    /** A superblock read that takes longer is given up (the device is taken as unreadable). */
    private readonly readTimeoutMs = 10_000,
  ) {}

  /** Devices whose read hung, and when. */
  private readonly hung = new Map<string, number>();

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
    // A device whose read hung is left alone for a while: each hung read holds one of libuv's
    // four threads, and a scan must never wait on one (issue 10: a hung read blocked everything).
    const hungAt = this.hung.get(dev);
    if (hungAt !== undefined && Date.now() - hungAt < hungRetryMs) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), this.readTimeoutMs);
    });
    const r = await Promise.race([this.probeDirect(dev, sizeBytes), timeout]).finally(() => clearTimeout(timer));
    if (r !== 'timeout') {
      this.hung.delete(dev);
      return r;
    }
    this.hung.set(dev, Date.now());
    logger()
      .child({ mod: 'md' })
      .error(
        { dev },
        `reading /dev/${dev} did not answer within ${this.readTimeoutMs / 1000} s: the device is taken as unreadable (and not read again for ${hungRetryMs / 60_000} min); check its cabling and the kernel log`,
      );
    return undefined;
  }

  private async probeDirect(dev: string, sizeBytes: number): Promise<MdExamine | undefined> {
    const r = await readSuperblock(join(this.dev, kernelName(dev)), sizeBytes);
    return r === 'examine' ? this.examine(dev) : r;
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
      members.push({
        dev: m[1]!,
        slot: slot === undefined ? undefined : parseSlot(slot),
        state: parseDevState(st ?? ''),
      });
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
      bitmapTimeBase: num('bitmap/time_base'),
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
      let uuid: string | undefined =
        byId.get(a.name) ?? (a.active ? this.uuidFromAssembly(a.name, s.members) : undefined);
      if (a.active && !uuid) uuid = (await this.detail(a.name).catch(() => undefined))?.uuid;
      const { present: _p, ...rest } = s;
      out.push({
        ...rest,
        name: a.name,
        uuid,
        active: a.active,
        readonly: a.readonly,
        level: s.level ?? a.level,
        members: s.members.length
          ? s.members
          : a.members.map((m) => ({
              dev: m.dev,
              slot: m.slot,
              state: [m.faulty ? 'faulty' : m.spare ? 'spare' : 'in_sync'],
            })),
      });
    }
    return out;
  }

  async detail(name: string): Promise<MdDetail> {
    const r = await this.runner.run(['mdadm', '--detail', '--export', devPath(name)], {
      quiet: true,
      timeoutMs: 15_000,
    });
    return parseDetailExport(r.stdout);
  }

  /** undefined when the device carries no md superblock. */
  async examine(dev: string): Promise<MdExamine | undefined> {
    const r = await this.runner.run(['mdadm', '--examine', '--export', devPath(dev)], {
      quiet: true,
      allowFailure: true,
      timeoutMs: 15_000,
    });
    if (r.exitCode !== 0) return undefined;
    return parseExamineExport(r.stdout);
  }

  /** Remember an array this process just assembled (see `assembled`). */
  noteAssembled(name: string, uuid: string, devices: string[]): void {
    this.assembled.set(kernelName(name), {
      uuid: normalizeUuid(uuid),
      members: devices.map((d) => kernelName(d)).sort(),
    });
  }

  forgetAssembled(name: string): void {
    this.assembled.delete(kernelName(name));
  }

  /** `mdadm --examine-bitmap` of a mirror member: the dirty bytes a re-add will resync (undefined: no bitmap). */
  async bitmapDirtyBytes(dev: string): Promise<number | undefined> {
    const x = await this.runner.run(['mdadm', '--examine-bitmap', devPath(dev)], {
      allowFailure: true,
      quiet: true,
      timeoutMs: 15_000,
    });
    return x.exitCode === 0 ? parseBitmapDirtyBytes(x.stdout) : undefined;
  }

  /**
   * Follow md v1 superblocks (read-only reads of the device node) through nested mirrors to
   * the filesystem: the byte offset where it starts. A layer with no v1.1/1.2 superblock
   * (0.90/1.0 keep it at the end) adds nothing.
   */
  async nestedDataOffset(dev: string, expectedUuids: string[]): Promise<number> {
    return nestedDataOffset(join(this.dev, kernelName(dev)), expectedUuids);
  }

  /** Blocks until any resync/recovery on the array has finished (mdadm --wait; exit 1 = nothing to wait for). */
  async waitIdle(name: string, signal?: AbortSignal): Promise<void> {
    await this.runner.run(['mdadm', '--wait', devPath(name)], {
      timeoutMs: 7 * 24 * 3600_000,
      signal,
      allowFailure: true,
      quiet: true,
    });
  }
}
