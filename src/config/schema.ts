// The configuration schema (zod). Contract: parseConfig() turns a parsed TOML object into a
// typed, defaulted Config or throws ConfigError listing every problem with its key path and
// what was expected. Only plain data here; loading the file is in load.ts.
import { z } from 'zod';
import { normalizeUuid } from '../util/names.js';

const uuid = z
  .string()
  .refine((s) => {
    try {
      normalizeUuid(s);
      return true;
    } catch {
      return false;
    }
  }, 'an md UUID such as "4f1b2c3d:5e6f7a8b:9c0d1e2f:3a4b5c6d" (see `mdadm --detail /dev/mdX`)')
  .transform((s) => normalizeUuid(s));

const setName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a short name of letters, digits, "-" or "_" (it is used in file names)');

const mdName = z.string().regex(/^md[0-9]+$/, 'an md device name such as "md8"');

const absPath = z.string().regex(/^\/[^\0]*$/, 'an absolute path');

const host = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/, 'a host name or IP address');
const ifName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/, 'a network interface name such as "eth0"');
const unitName = z.string().regex(/^[A-Za-z0-9@._\\-]+$/, 'a systemd unit name');
/** Paths given to ssh through rsync's -e option must not contain blanks (rsync splits it). */
const noBlankPath = z.string().regex(/^\/[^\s\0]*$/, 'an absolute path without blanks');
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 address with its prefix, e.g. "192.168.1.1/24"');

/** How this host reaches the other over the dedicated segment: ssh with a forced command
 *  (rrsync, read-only for pull) or an rsync daemon module with a secrets file. */
const remoteSchema = z.strictObject({
  transport: z.enum(['ssh', 'rsyncd']).default('ssh'),
  /** The other host's address on the dedicated segment (the seed's 10.168.1.x). */
  host,
  user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a user name').default('baysync'),
  port: z.number().int().min(1).max(65535).optional(),
  ssh_key: noBlankPath.default('/etc/baysync/sync_ed25519'),
  known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
  /** rsyncd: the module name and the client's password file (mode 600). */
  module: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an rsyncd module name').optional(),
  password_file: absPath.optional(),
  connect_timeout_seconds: z.number().int().min(1).max(300).default(10),
});

const realtimeSchema = z.strictObject({
  /** "pull": this host is the standby (B) and fetches on baysync-sync.timer (the seed's way).
   *  "push": this host is the main server (A); its daemon watches the tree and sends changes. */
  mode: z.enum(['pull', 'push']),
  /** The data tree on the main server (A); for ssh with rrsync, the path as rrsync sees it. */
  source: absPath,
  /** The copy on the standby (B). */
  destination: absPath,
  remote: remoteSchema,
  /** A file that must exist at the top of the source. An unmounted mountpoint looks like an
   *  empty tree; without this guard a sync would delete the whole copy. */
  source_marker: z.string().regex(/^[^/\0]+$/, 'a file name at the top of the source').default('.baysync-source'),
  /** The local side (push: the source; pull: the destination) must be this mounted filesystem. */
  local_mountpoint: absPath.optional(),
  /** Refuse deletions beyond this share of the files of the copy (rsync --max-delete). */
  max_delete_percent: z.number().min(0).max(100).default(10),
  /** ...but always allow this many (a small tree would otherwise trip on every rename). */
  max_delete_min_files: z.number().int().min(0).default(100),
  bwlimit_kbps: z.number().int().min(0).default(0),
  excludes: z.array(z.string().min(1).regex(/^[^\n\0]+$/, 'one rsync pattern')).default([]),
  /** Keep partly transferred files (rsync --partial-dir) so a cut transfer resumes. */
  partial: z.boolean().default(true),
  /** Pull: the timer's OnUnitInactiveSec. Push: the fallback timer when the watcher cannot run. */
  interval_seconds: z.number().int().min(1).default(60),
  /** Push: changes are gathered this long after the last event before a push (max 4x this). */
  debounce_ms: z.number().int().min(10).max(60_000).default(500),
  /** Push: a full rsync at start and at this interval catches what the watcher missed. */
  reconcile_minutes: z.number().positive().default(60),
  /** rsync --timeout: abort a run whose I/O stalls this long. */
  io_timeout_seconds: z.number().int().min(5).default(120),
});

const probePathSchema = z.strictObject({
  /** The main server's address on this network. */
  peer: host,
  /** This host's interface on this network (probes go out through it). */
  interface: ifName,
});

const failoverSchema = z.strictObject({
  enabled: z.boolean().default(true),
  lan: probePathSchema,
  segment: probePathSchema,
  /** The address taken over, with its prefix (default: lan.peer/24). */
  service_address: cidr.optional(),
  interval_ms: z.number().int().min(200).max(60_000).default(1000),
  timeout_ms: z.number().int().min(100).max(30_000).default(800),
  /** Consecutive failed probes before a path counts as down (both down => takeover). */
  fall: z.number().int().min(1).max(100).default(4),
  /** Consecutive good probes before a down path counts as up again. */
  rise: z.number().int().min(1).max(100).default(2),
  /** Fencing: an ssh key whose forced command on A brings A's LAN interface down
   *  (authorized_keys: restrict,command="/sbin/ip link set dev eth0 down"). Tried over the
   *  segment before the takeover; the takeover goes on when A does not answer. */
  fence_ssh_key: noBlankPath.optional(),
  /** Cure: a key whose forced command on A tries to mend A's LAN (e.g. restart networking),
   *  used once when only the LAN probe fails. */
  cure_ssh_key: noBlankPath.optional(),
  /** Failback: a key whose forced command on A is a writable rrsync of the data tree. */
  failback_ssh_key: noBlankPath.optional(),
  ssh_user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a user name').default('root'),
  known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
  /** Units stopped first at the takeover (the real-time sync). */
  stop_units: z.array(unitName).default(['baysync-sync.timer', 'baysync-sync.service']),
  /** Units started after the address is taken over. */
  services: z.array(unitName).default([]),
});

function crossCheckRealtime(r: z.infer<typeof realtimeSchema> | undefined): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.remote.transport === 'rsyncd') {
    if (!r.remote.module) out.push('realtime.remote.module: required with transport = "rsyncd"');
    if (r.mode === 'push') out.push("realtime.remote.transport: push mode needs 'ssh' (the seed's rsync daemon is read-only)");
  }
  return out;
}

function crossCheckFailover(f: z.infer<typeof failoverSchema> | undefined): string[] {
  if (!f) return [];
  const out: string[] = [];
  if (f.lan.interface === f.segment.interface) out.push('failover.segment.interface: equals failover.lan.interface; the two probes must use two networks');
  if (f.lan.peer === f.segment.peer) out.push("failover.segment.peer: equals failover.lan.peer; give A's address on each network");
  if (f.timeout_ms >= f.interval_ms * 2) out.push('failover.timeout_ms: must be less than twice interval_ms');
  return out;
}

const setSchema = z.strictObject({
  name: setName,
  stripe_uuid: uuid,
  mirror_uuid: uuid,
  /** The md device name to assemble the stripe as (the seed's md8/md9). */
  stripe_device: mdName,
});

const storageSchema = z.strictObject({
    top_mirror_uuid: uuid,
    mountpoint: absPath,
    /** A directory, relative to the mountpoint, that must exist on a good copy. */
    marker_dir: z.string().regex(/^[^/\0][^\0]*$/, 'a path relative to the mountpoint, e.g. "pc"').default('pc'),
    /** How the filesystem is quiesced for the detach: fsfreeze (default) or the seed's remount,ro. */
    freeze: z.enum(['fsfreeze', 'remount-ro']).default('fsfreeze'),
});

export const configSchema = z.strictObject({
  /** The rotation's pool. Required when [[sets]] are configured; a standby server that only
   *  runs [realtime] and [failover] has neither. */
  storage: storageSchema.optional(),
  root_mirror: z
    .strictObject({
      uuid,
      /** Partition number of the root-mirror member on each external disk (the seed's sdX1).
       *  A partition there with no md superblock (a new set) is added; one with another
       *  array's superblock is never touched. Omit to use only partitions that already
       *  carry the root mirror's superblock. */
      partition: z.number().int().min(1).max(128).optional(),
    })
    .optional(),
  sets: z.array(setSchema).default([]),
  realtime: realtimeSchema.optional(),
  failover: failoverSchema.optional(),
  backuppc: z
    .strictObject({
      enabled: z.boolean().default(true),
      control_include: absPath.default('/etc/backuppc/external-control.pl'),
      server_mesg: absPath.default('/usr/share/backuppc/bin/BackupPC_serverMesg'),
      user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a user name').default('backuppc'),
      service: unitName.default('backuppc.service'),
      /** Stop BackupPC while the mirror syncs once no dump runs (the seed does this). */
      stop_when_idle: z.boolean().default(true),
    })
    .prefault({}),
  mail: z
    .strictObject({
      to: z.array(z.string().min(1)).min(1).default(['root']),
      from: z.string().default('baysync'),
      transport: z.enum(['sendmail', 'smtp']).default('sendmail'),
      sendmail_path: absPath.default('/usr/sbin/sendmail'),
      smtp: z
        .strictObject({
          host: z.string().default('localhost'),
          port: z.number().int().min(1).max(65535).default(25),
          secure: z.boolean().default(false),
          user: z.string().optional(),
          password: z.string().optional(),
        })
        .prefault({}),
      /** Give up retrying a spooled mail after this many hours (it stays in the spool, logged). */
      retry_hours: z.number().positive().default(72),
    })
    .prefault({}),
  policy: z
    .strictObject({
      /** Start a rotation by itself when a complete set is plugged in. */
      auto_start: z.boolean().default(true),
      rotation_days: z.number().positive().default(7),
      warn_after_days: z.number().positive().default(10),
      /** Files compared between the live pool and the detached copy. */
      verify_sample_files: z.number().int().min(0).max(10_000).default(20),
      /** A first rotation of a set is a full recovery; later ones must be bitmap re-adds. */
      allow_full_recovery: z.boolean().default(true),
      spin_down: z.boolean().default(true),
      progress_log_minutes: z.number().positive().default(5),
    })
    .prefault({}),
  paths: z
    .strictObject({
      state_dir: absPath.default('/var/lib/baysync'),
      run_dir: absPath.default('/run/baysync'),
      sysfs: absPath.default('/sys'),
      proc: absPath.default('/proc'),
      /** Where device nodes are read for the read-only superblock walk. */
      dev: absPath.default('/dev'),
      verify_dir: absPath.default('/run/baysync/verify'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type SetConfig = Config['sets'][number];
/** A config with the rotation configured: what src/rotation works on. */
export type RotationConfig = Config & { storage: z.infer<typeof storageSchema> };
export type RealtimeConfig = z.infer<typeof realtimeSchema>;
export type FailoverConfig = z.infer<typeof failoverSchema>;

export function hasRotation(cfg: Config): cfg is RotationConfig {
  return cfg.storage !== undefined && cfg.sets.length > 0;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nNothing was changed. Fix the file and run \`baysync config check\`.`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(file: string, data: unknown): Config {
  const r = configSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const key = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      return `${key}: ${i.message}`;
    });
    throw new ConfigError(file, problems);
  }
  const cfg = r.data;
  const problems: string[] = [];
  const seen = new Map<string, string>();
  cfg.sets.forEach((s, i) => {
    for (const [k, v] of [['name', s.name.toLowerCase()], ['stripe_uuid', s.stripe_uuid], ['mirror_uuid', s.mirror_uuid], ['stripe_device', s.stripe_device]] as const) {
      const prev = seen.get(`${k}=${v}`);
      if (prev) problems.push(`sets[${i}].${k}: the same value is already used by ${prev}; each set needs its own`);
      seen.set(`${k}=${v}`, `sets[${i}]`);
    }
    if (s.stripe_uuid === s.mirror_uuid) problems.push(`sets[${i}].stripe_uuid: equals mirror_uuid; the stripe's own UUID is expected (mdadm --examine on an external disk)`);
    if (s.mirror_uuid === cfg.storage?.top_mirror_uuid) problems.push(`sets[${i}].mirror_uuid: equals storage.top_mirror_uuid; the degraded mirror (md5/md6) is expected, not the top one`);
  });
  if (cfg.sets.length && !cfg.storage) problems.push('storage: missing; [[sets]] need the [storage] section (top_mirror_uuid, mountpoint)');
  if (cfg.storage && !cfg.sets.length) problems.push('sets: at least one [[sets]] entry is needed with [storage]');
  if (!cfg.sets.length && !cfg.realtime && !cfg.failover) problems.push('(top level): nothing to do; configure [storage] with [[sets]], [realtime] or [failover]');
  problems.push(...crossCheckRealtime(cfg.realtime), ...crossCheckFailover(cfg.failover));
  if (problems.length) throw new ConfigError(file, problems);
  return cfg;
}
