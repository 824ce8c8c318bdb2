// Drive power adapter: spin a disk down so it is safe to pull. Tries `hdparm -Y` (ATA),
// then `sdparm --command=stop` (SCSI/USB bridges, QEMU disks), then deletes the SCSI device
// (/sys/block/X/device/delete) so the kernel lets go of it. Contract: returns which methods
// worked; throws only when the disk could neither be stopped nor deleted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from './runner.js';
import { devPath, kernelName } from '../util/names.js';

export interface SpinDownResult {
  disk: string;
  stoppedBy?: 'hdparm' | 'sdparm';
  deleted: boolean;
}

export class PowerAdapter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly sysfs = '/sys',
  ) {}

  async spinDown(disk: string): Promise<SpinDownResult> {
    const res: SpinDownResult = { disk: kernelName(disk), deleted: false };
    // hdparm exits 0 on many bridges that ignore the ATA command (QEMU disks do), so the SCSI
    // STOP is always sent as well; a sleeping ATA disk takes it as STANDBY IMMEDIATE.
    const h = await this.runner.run(['hdparm', '-Y', devPath(disk)], { allowFailure: true, timeoutMs: 60_000 });
    if (h.exitCode === 0 && !/bad\/missing sense|SG_IO|failed/i.test(h.stderr + h.stdout)) res.stoppedBy = 'hdparm';
    const s = await this.runner.run(['sdparm', '--command=stop', devPath(disk)], { allowFailure: true, timeoutMs: 60_000 });
    if (s.exitCode === 0) res.stoppedBy ??= 'sdparm';
    try {
      await writeFile(join(this.sysfs, 'block', disk, 'device', 'delete'), '1');
      res.deleted = true;
    } catch {
      res.deleted = false;
    }
    if (!res.stoppedBy && !res.deleted) throw new Error(`could not spin down or detach ${disk}; it may still be busy: do not pull it before checking \`lsblk\``);
    return res;
  }
}
