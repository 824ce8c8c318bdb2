// The snapshot copy's sections of the config (issue 13): [copy] on the primary (the volume to
// read and the receiver to send it to) and [copy_receive] on the secondary (the one volume its
// forced command writes). Contract: every path and host that reaches an argv is constrained
// here; the target is named only by the receiver's own config, never by the sender.
import { z } from 'zod';
import { absPath, host, noBlankPath, userName } from './fields.js';

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address');

export const copySchema = z.strictObject({
  /** The volume read: a block device that is not mounted (a snapshot), or a file. */
  source: absPath,
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
  return c?.transport === 'tcp' && !c.key_file
    ? [
        'copy.key_file: transport = "tcp" needs the shared key (head -c 32 /dev/urandom > FILE; chmod 600 FILE; the same file on the receiver)',
      ]
    : [];
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
});

export type CopyConfig = z.infer<typeof copySchema>;
export type CopyReceiveConfig = z.infer<typeof copyReceiveSchema>;
