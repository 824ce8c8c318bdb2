// The snapshot copy's sections of the config (issue 13): [copy] on the primary (the volume to
// read and the receiver to send it to) and [copy_receive] on the secondary (the one volume its
// forced command writes). Contract: every path and host that reaches an argv is constrained
// here; the target is named only by the receiver's own config, never by the sender.
import { z } from 'zod';
import { absPath, host, noBlankPath, userName } from './fields.js';

export const copySchema = z.strictObject({
  /** The volume read: a block device that is not mounted (a snapshot), or a file. */
  source: absPath,
  receiver: z.strictObject({
    host,
    user: userName.default('baysync-copy'),
    port: z.number().int().min(1).max(65535).default(22),
    ssh_key: noBlankPath.default('/etc/baysync/copy_ed25519'),
    known_hosts: noBlankPath.default('/etc/baysync/known_hosts'),
    connect_timeout_seconds: z.number().int().min(1).max(300).default(10),
  }),
  /** The unit of comparison and transfer; the receiver keeps one SHA-256 per chunk. */
  chunk_mib: z.number().int().min(1).max(64).default(4),
  /** Chunks read ahead of the hash and the link, so that disk, CPU and network overlap. */
  read_ahead: z.number().int().min(1).max(16).default(4),
});

export const copyReceiveSchema = z.strictObject({
  /** The only volume `baysync copy receive` writes: it must exist, be as large as the source,
   *  and not be mounted (a block device is opened exclusively). */
  target: absPath,
  /** Bytes written between two fsyncs and the read-back that checks them. */
  batch_mib: z.number().int().min(1).max(1024).default(64),
});

export type CopyConfig = z.infer<typeof copySchema>;
export type CopyReceiveConfig = z.infer<typeof copyReceiveSchema>;
