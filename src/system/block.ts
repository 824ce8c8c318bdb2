// Block-device adapter: lists disks and their partitions from sysfs (/sys/block/<disk> and
// /sys/block/<disk>/<partition>), sizes included, without spawning a process: the daemon reads
// this at every step. Contract: only valid kernel names are returned (invariant 7); names that
// fail validation are reported in `rejected`; md, loop, ram, optical, device-mapper, zram and
// nbd devices are not candidates and are left out. No decisions are made here.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isKernelName, printable } from '../util/names.js';
import { logger } from '../log.js';

export interface BlockDevice {
  name: string;
  parent?: string;
  type: 'disk' | 'part';
  sizeBytes: number;
}

const notCandidates = /^(md|loop|ram|sr|dm-|zram|nbd|fd)/;

async function sizeOf(dir: string): Promise<number> {
  const s = await readFile(join(dir, 'size'), 'utf8').catch(() => '0');
  return (Number(s.trim()) || 0) * 512;
}

export async function listBlockDevices(sysfs: string): Promise<{ devices: BlockDevice[]; rejected: string[] }> {
  const devices: BlockDevice[] = [];
  const rejected: string[] = [];
  const root = join(sysfs, 'block');
  let disks: string[] = [];
  try {
    disks = await readdir(root);
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
    devices.push({ name: disk, type: 'disk', sizeBytes: await sizeOf(dir) });
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch {
      entries = [];
    }
    for (const e of entries.sort()) {
      if (!e.startsWith(disk)) continue;
      const isPart = await readFile(join(dir, e, 'partition'), 'utf8').then(() => true, () => false);
      if (!isPart) continue;
      if (!isKernelName(e)) {
        rejected.push(printable(e));
        continue;
      }
      devices.push({ name: e, parent: disk, type: 'part', sizeBytes: await sizeOf(join(dir, e)) });
    }
  }
  return { devices, rejected };
}

export class BlockAdapter {
  constructor(private readonly sysfs = '/sys') {}

  async list(): Promise<BlockDevice[]> {
    const { devices, rejected } = await listBlockDevices(this.sysfs);
    if (rejected.length) logger().child({ mod: 'block' }).warn({ rejected }, 'ignoring block devices with unexpected kernel names');
    return devices;
  }
}
