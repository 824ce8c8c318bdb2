// Block-device adapter: lists disks and their partitions from sysfs (/sys/block/<disk> and
// /sys/block/<disk>/<partition>), sizes included, without spawning a process: the daemon reads
// this at every step (synchronous reads: sysfs is memory-backed). Contract: only valid kernel names are returned (invariant 7); names that
// fail validation are reported in `rejected`; md, loop, ram, optical, device-mapper, zram and
// nbd devices are not candidates and are left out. No decisions are made here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../log.js';
import { isKernelName, printable } from '../util/names.js';

export interface BlockDevice {
  name: string;
  parent?: string;
  type: 'disk' | 'part';
  sizeBytes: number;
}

/** Names of disk and partition nodes that hot-plug (SCSI/SATA/USB, virtio, Xen, IDE, NVMe, MMC). */
export const hotplugNodeName = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)(p?\d+)?$/;

const notCandidates = /^(md|loop|ram|sr|dm-|zram|nbd|fd)/;

function sizeOf(dir: string): number {
  let s = '0';
  try {
    s = readFileSync(join(dir, 'size'), 'utf8');
  } catch {
    // vanished meanwhile
  }
  return (Number(s.trim()) || 0) * 512;
}

export async function listBlockDevices(sysfs: string): Promise<{ devices: BlockDevice[]; rejected: string[] }> {
  const devices: BlockDevice[] = [];
  const rejected: string[] = [];
  const root = join(sysfs, 'block');
  let disks: string[] = [];
  try {
    disks = readdirSync(root);
  } catch {
    return { devices, rejected };
  }
  for (const disk of disks.sort()) {
    if (!isKernelName(disk)) {
      rejected.push(printable(disk));
      continue;
    }
    if (notCandidates.test(disk)) continue;
    const dir = join(root, disk);
    devices.push({ name: disk, type: 'disk', sizeBytes: sizeOf(dir) });
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      entries = [];
    }
    for (const e of entries.sort()) {
      if (!e.startsWith(disk)) continue;
      if (!existsSync(join(dir, e, 'partition'))) continue;
      if (!isKernelName(e)) {
        rejected.push(printable(e));
        continue;
      }
      devices.push({ name: e, parent: disk, type: 'part', sizeBytes: sizeOf(join(dir, e)) });
    }
  }
  return { devices, rejected };
}

export class BlockAdapter {
  constructor(private readonly sysfs = '/sys') {}

  async list(): Promise<BlockDevice[]> {
    const { devices, rejected } = await listBlockDevices(this.sysfs);
    if (rejected.length)
      logger().child({ mod: 'block' }).warn({ rejected }, 'ignoring block devices with unexpected kernel names');
    return devices;
  }
}

/** A device node's number as major:minor (glibc's encoding of dev_t), or undefined when the
 *  path is not a device node that can be read. */
export function deviceNumber(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isBlockDevice()) return undefined;
    const dev = st.rdev;
    const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
    const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
    return `${major}:${minor}`;
  } catch {
    return undefined;
  }
}
