// The configuration schema (zod). Contract: parseConfig() turns a parsed TOML object into a
// typed, defaulted Config or throws ConfigError listing every problem with its key path and
// what was expected. Only plain data here; loading the file is in load.ts.
import { z } from 'zod';
import { copyReceiveSchema, copySchema, crossCheckCopy } from './copy.js';
import { absPath, mdName, relativeName, setName, unitName, uuid } from './fields.js';
import { crossCheckFailover, crossCheckRealtime, failoverSchema, realtimeSchema } from './standby.js';

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
  marker_dir: relativeName.default('pc'),
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
  copy: copySchema.optional(),
  copy_receive: copyReceiveSchema.optional(),
  backuppc: z
    .strictObject({
      enabled: z.boolean().default(true),
      control_include: absPath.default('/etc/backuppc/external-control.pl'),
      server_mesg: absPath.default('/usr/share/backuppc/bin/BackupPC_serverMesg'),
      user: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/, 'a user name')
        .default('backuppc'),
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
          /** Implicit TLS from the first byte (port 465). */
          secure: z.boolean().default(false),
          /** STARTTLS, and refuse to send if the server does not offer it. */
          require_tls: z.boolean().default(false),
          user: z.string().optional(),
          password: z.string().optional(),
          /** The password in its own file (0600), read at each hand-over; or systemd's
           *  LoadCredential= and $CREDENTIALS_DIRECTORY/<name>. */
          password_file: absPath.optional(),
        })
        .prefault({}),
      /** Give up retrying a spooled mail after this many hours (it stays in the spool, logged). */
      retry_hours: z.number().positive().default(72),
      /** A hand-over to the transport that takes longer counts as failed and is retried later
       *  (a hung sendmail or SMTP server must not hold every later mail). */
      timeout_seconds: z.number().positive().max(3600).default(120),
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
      /** Percent of the copy's chunks compared block by block with the live half (100: all). */
      verify_block_share: z.number().min(1).max(100).default(100),
      /** Below this percent of the copy proved block by block, the verification is INCONCLUSIVE. */
      verify_min_proved_percent: z.number().min(0).max(100).default(50),
      /** Below this many files compared (at most verify_sample_files), it is INCONCLUSIVE. */
      verify_min_files: z.number().int().min(0).default(1),
      /** Check the copy's filesystem without modification (xfs_repair -n, e2fsck -fn). */
      verify_fsck: z.boolean().default(true),
      /** A first rotation of a set is a full recovery; later ones must be bitmap re-adds. */
      allow_full_recovery: z.boolean().default(true),
      spin_down: z.boolean().default(true),
      progress_log_minutes: z.number().positive().default(5),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Write a Prometheus textfile for node_exporter's textfile collector. */
      enabled: z.boolean().default(true),
      /** Written only when its directory exists (Debian's prometheus-node-exporter makes it). */
      textfile: absPath.default('/var/lib/prometheus/node-exporter/baysync.prom'),
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
      /** udev's database: an entry is written once udev has run its rules for a device. */
      udev_data: absPath.default('/run/udev/data'),
      verify_dir: absPath.default('/run/baysync/verify'),
      /** The filesystems that should be mounted (the sync refuses a tree whose filesystem is not). */
      fstab: absPath.default('/etc/fstab'),
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
    super(
      `${file}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nNothing was changed. Fix the file and run \`baysync config check\`.`,
    );
    this.name = 'ConfigError';
  }
}

export function parseConfig(file: string, data: unknown): Config {
  const r = configSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const key = i.path.length
        ? i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : '(top level)';
      return `${key}: ${i.message}`;
    });
    throw new ConfigError(file, problems);
  }
  const cfg = r.data;
  const problems: string[] = [];
  const seen = new Map<string, string>();
  cfg.sets.forEach((s, i) => {
    for (const [k, v] of [
      ['name', s.name.toLowerCase()],
      ['stripe_uuid', s.stripe_uuid],
      ['mirror_uuid', s.mirror_uuid],
      ['stripe_device', s.stripe_device],
    ] as const) {
      const prev = seen.get(`${k}=${v}`);
      if (prev) problems.push(`sets[${i}].${k}: the same value is already used by ${prev}; each set needs its own`);
      seen.set(`${k}=${v}`, `sets[${i}]`);
    }
    if (s.stripe_uuid === s.mirror_uuid)
      problems.push(
        `sets[${i}].stripe_uuid: equals mirror_uuid; the stripe's own UUID is expected (mdadm --examine on an external disk)`,
      );
    if (s.mirror_uuid === cfg.storage?.top_mirror_uuid)
      problems.push(
        `sets[${i}].mirror_uuid: equals storage.top_mirror_uuid; the degraded mirror (md5/md6) is expected, not the top one`,
      );
  });
  if (cfg.sets.length && !cfg.storage)
    problems.push('storage: missing; [[sets]] need the [storage] section (top_mirror_uuid, mountpoint)');
  if (cfg.storage && !cfg.sets.length) problems.push('sets: at least one [[sets]] entry is needed with [storage]');
  if (!cfg.sets.length && !cfg.realtime && !cfg.failover && !cfg.copy && !cfg.copy_receive)
    problems.push(
      '(top level): nothing to do; configure [storage] with [[sets]], [realtime], [failover], [copy] or [copy_receive]',
    );
  problems.push(
    ...crossCheckCopy(cfg.copy),
    ...crossCheckRealtime(cfg.realtime),
    ...crossCheckFailover(cfg.failover),
    ...crossCheckSmtp(cfg.mail),
  );
  if (problems.length) throw new ConfigError(file, problems);
  return cfg;
}

/** A password never crosses the network in clear, and comes from one place only. */
function crossCheckSmtp(mail: Config['mail']): string[] {
  const smtp = mail.smtp;
  const out: string[] = [];
  if (smtp.password !== undefined && smtp.password_file)
    out.push('mail.smtp.password: set together with password_file; keep one (password_file keeps it out of this file)');
  if ((smtp.password !== undefined || smtp.password_file) && !smtp.secure && !smtp.require_tls)
    out.push(
      'mail.smtp.password: a password needs TLS; set secure = true (implicit TLS, port 465) or require_tls = true (STARTTLS)',
    );
  if ((smtp.password !== undefined || smtp.password_file) && !smtp.user)
    out.push('mail.smtp.user: missing; a password is only used with a user');
  return out;
}
