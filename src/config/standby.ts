// The standby sections of the config: [realtime] (the sync to the standby server) and
// [failover] (the monitor and takeover), with their cross-field checks.
import { z } from 'zod';
import { absPath, cidr, host, ifName, noBlankPath, unitName, userName } from './fields.js';

const remoteSchema = z.strictObject({
  transport: z.enum(['ssh', 'rsyncd']).default('ssh'),
  /** The other host's address on the dedicated segment (the seed's 10.168.1.x). */
  host,
  user: userName.default('baysync'),
  port: z.number().int().min(1).max(65535).optional(),
  ssh_key: noBlankPath.default('/etc/baysync/sync_ed25519'),
  known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
  /** rsyncd: the module name and the client's password file (mode 600). */
  module: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'an rsyncd module name')
    .optional(),
  password_file: absPath.optional(),
  connect_timeout_seconds: z.number().int().min(1).max(300).default(10),
});

export const realtimeSchema = z.strictObject({
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
  source_marker: z
    .string()
    .regex(/^(?!\.{1,2}$)[A-Za-z0-9._-]+$/, 'a file name at the top of the source (not "." or "..")')
    .default('.baysync-source'),
  /** The local side (push: the source; pull: the destination) must be this mounted filesystem. */
  local_mountpoint: absPath.optional(),
  /** Refuse deletions beyond this share of the files of the copy (rsync --max-delete). */
  max_delete_percent: z.number().min(0).max(100).default(10),
  /** ...but always allow this many (a small tree would otherwise trip on every rename). */
  max_delete_min_files: z.number().int().min(0).default(100),
  bwlimit_kbps: z.number().int().min(0).default(0),
  excludes: z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[^\n\0]+$/, 'one rsync pattern'),
    )
    .default([]),
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

export const failoverSchema = z.strictObject({
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
  /** Fencing that works on a dead main server too: a command run here, argv (no shell), e.g.
   *  ["/usr/bin/ipmitool", "-H", "a-bmc", "-f", "/etc/baysync/ipmi.pw", "chassis", "power", "off"]. */
  fence_command: z
    .array(z.string().min(1))
    .min(1)
    .refine((a) => absPath.safeParse(a[0]).success, 'an argv whose first element is the command as an absolute path')
    .optional(),
  /** No takeover without a successful fence (fence_command or the fence key answered): Pacemaker's
   *  rule. Off by default (the seed took over when A was silent on both networks). */
  require_fence: z.boolean().default(false),
  /** Cure: a key whose forced command on A tries to mend A's LAN (e.g. restart networking),
   *  used once when only the LAN probe fails. */
  cure_ssh_key: noBlankPath.optional(),
  /** Failback: a key whose forced command on A is a writable rrsync of the data tree. */
  failback_ssh_key: noBlankPath.optional(),
  ssh_user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/, 'a user name')
    .default('root'),
  known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
  /** Units stopped first at the takeover (the real-time sync). */
  stop_units: z.array(unitName).default(['baysync-sync.timer', 'baysync-sync.service']),
  /** Units started after the address is taken over. */
  services: z.array(unitName).default([]),
});

export function crossCheckRealtime(r: z.infer<typeof realtimeSchema> | undefined): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.remote.transport === 'rsyncd') {
    if (!r.remote.module) out.push('realtime.remote.module: required with transport = "rsyncd"');
    if (r.mode === 'push')
      out.push("realtime.remote.transport: push mode needs 'ssh' (the seed's rsync daemon is read-only)");
  }
  return out;
}

export function crossCheckFailover(f: z.infer<typeof failoverSchema> | undefined): string[] {
  if (!f) return [];
  const out: string[] = [];
  if (f.lan.interface === f.segment.interface)
    out.push('failover.segment.interface: equals failover.lan.interface; the two probes must use two networks');
  if (f.lan.peer === f.segment.peer)
    out.push("failover.segment.peer: equals failover.lan.peer; give A's address on each network");
  if (f.timeout_ms >= f.interval_ms * 2) out.push('failover.timeout_ms: must be less than twice interval_ms');
  return out;
}
