// The snapshot copy's sections of the config (issue 13): [copy] on the primary (the volume to
// read and the receiver to send it to) and [copy_receive] on the secondary (the one volume its
// forced command writes). Contract: every path and host that reaches an argv is constrained
// here; the target is named only by the receiver's own config, never by the sender.
import { z } from 'zod';
import { absPath, host, noBlankPath, userName } from './fields.js';

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address');

/** An LVM volume as "vg/lv": LVM's own name rules (no leading "-", which would read as an option). */
export const lvRef = z
  .string()
  .regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}\/[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/, 'an LVM volume as "vg/lv"')
  .refine((s) => !s.split('/').some((n) => n === '.' || n === '..'), 'an LVM volume as "vg/lv"');

export const copySchema = z.strictObject({
  /** The LVM volume holding the pool: each run snapshots it and reads the snapshot. */
  volume: lvRef.optional(),
  /** Instead of `volume`, for `baysync copy send` by hand: a block device that is not mounted (a
   *  snapshot), or a file. */
  source: absPath.optional(),
  /** A classic snapshot's copy-on-write space: "100%FREE" (the seed's), "50%ORIGIN", or a size
   *  such as "20G". A thin volume's snapshot takes its space from the pool. */
  snapshot_size: z
    .string()
    .regex(
      /^(\d{1,3}%(FREE|VG|ORIGIN|PVS)|\d+(\.\d+)?[KMGTkmgt])$/,
      'an lvcreate size: "100%FREE", "50%ORIGIN" or "20G"',
    )
    .default('100%FREE'),
  /** The copy stops when the snapshot (or the thin pool) is this full, before the kernel would
   *  invalidate it. */
  snapshot_abort_percent: z.number().min(1).max(99).default(90),
  /** How often the fill is read while a copy runs (never while none runs). */
  fill_check_seconds: z.number().int().min(1).max(300).default(5),
  /** Where `volume` is mounted: a run refuses a volume that does not hold the mounted pool. */
  pool_mountpoint: absPath.default('/var/lib/backuppc'),
  /** Copied first, to a directory on the secondary that its own key can write and nothing else. */
  config_dir: absPath.default('/etc/backuppc'),
  config_ssh_key: noBlankPath.default('/etc/baysync/copy_config_ed25519'),
  /** `baysync check` warns when the secondary's last verified copy is older. */
  max_age_days: z.number().min(0.1).max(365).default(2),
  /** "ssh": a forced-command key; "tcp": a raw stream on a dedicated link, every chunk signed
   *  with the shared key (no encryption: for a cable between the two servers only). */
  transport: z.enum(['ssh', 'tcp']).default('ssh'),
  /** The shared key (32 bytes or more, mode 600), with transport = "tcp". */
  key_file: absPath.optional(),
  receiver: z.strictObject({
    host,
    user: userName.default('baysync-copy'),
    port: z.number().int().min(1).max(65535).default(22),
    ssh_key: noBlankPath.default('/etc/baysync/copy_ed25519'),
    known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
    connect_timeout_seconds: z.number().int().min(1).max(300).default(10),
    /** The receiver's baysync-copy-receive.socket, with transport = "tcp". */
    tcp_port: z.number().int().min(1).max(65535).default(8737),
  }),
  /** The unit of comparison and transfer; the receiver keeps one SHA-256 per chunk. */
  chunk_mib: z.number().int().min(1).max(64).default(4),
  /** Chunks read ahead of the hash and the link, so that disk, CPU and network overlap. */
  read_ahead: z.number().int().min(1).max(16).default(4),
});

export function crossCheckCopy(c: z.infer<typeof copySchema> | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  if (c.transport === 'tcp' && !c.key_file)
    out.push(
      'copy.key_file: transport = "tcp" needs the shared key (head -c 32 /dev/urandom > FILE; chmod 600 FILE; the same file on the receiver)',
    );
  if ((c.volume === undefined) === (c.source === undefined))
    out.push(
      'copy: give either volume = "vg/lv" (the pool\'s LVM volume: each run copies a snapshot of it) or source = "/dev/…" (an unmounted device, for `baysync copy send` by hand), not both',
    );
  return out;
}

export const copyReceiveSchema = z.strictObject({
  /** The only volume `baysync copy receive` writes: it must exist, be as large as the source,
   *  and not be mounted (a block device is opened exclusively). */
  target: absPath,
  /** Bytes written between two fsyncs and the read-back that checks them. */
  batch_mib: z.number().int().min(1).max(1024).default(64),
  /** After a verified copy, check the target's filesystem without modifying it (xfs_repair -n,
   *  e2fsck -fn): whether the secondary could mount the pool. */
  fsck: z.boolean().default(true),
  /** The shared key for copies over TCP (baysync-copy-receive.socket); the same file as the sender's. */
  key_file: absPath.optional(),
  /** The senders' addresses accepted over TCP; any other is refused before a byte is read. */
  tcp_allow: z.array(ipv4).default([]),
  /** `baysync copy promote`: the primary, which must not answer (ping) when this host takes over. */
  primary: host.optional(),
  /** Where promote mounts the target. */
  mountpoint: absPath.default('/var/lib/backuppc'),
  /** Where the primary's configuration copy arrives (its rrsync key's directory). */
  config_backup: absPath.default('/var/lib/baysync/backuppc-config'),
  /** The configuration promote puts the copy in place of (the old one is kept beside it). */
  backuppc_config: absPath.default('/etc/backuppc'),
});

export type CopyConfig = z.infer<typeof copySchema>;
export type CopyReceiveConfig = z.infer<typeof copyReceiveSchema>;
