// Drive power: spin a disk down so it is safe to pull. The operations are `hdparm -Y` (ATA),
// `sdparm --command=stop` (SCSI/USB bridges, QEMU disks), then deleting the SCSI device
// (/sys/block/X/device/delete) so the kernel lets go of it. Contract: ops() is pure;
// spinDownResult() says which methods worked and throws only when none did.
import { join } from 'node:path';
import { devPath, kernelName } from '../util/names.js';
import { type Op, run, write } from './op.js';
import type { RunResult } from './runner.js';

export interface SpinDownResult {
  disk: string;
  stoppedBy?: 'hdparm' | 'sdparm';
  deleted: boolean;
}

/** The operations of a spin-down: both stop commands (each may fail), then the device delete. */
export function spinDownOps(sysfs: string, disk: string): Op[] {
  return [
    run(['hdparm', '-Y', devPath(disk)], 60_000, { mayFail: true }),
    run(['sdparm', '--command=stop', devPath(disk)], 60_000, { mayFail: true }),
    write(join(sysfs, 'block', kernelName(disk), 'device', 'delete'), '1', { mayFail: true }),
  ];
}

/**
 * What the three results of a spin-down mean. hdparm exits 0 on many bridges that ignore the ATA
 * command (QEMU disks do), so the SCSI STOP is always sent as well; a sleeping ATA disk takes it
 * as STANDBY IMMEDIATE. Throws when the disk could neither be stopped nor deleted.
 */
export function spinDownResult(disk: string, hdparm: RunResult, sdparm: RunResult, del: RunResult): SpinDownResult {
  const res: SpinDownResult = { disk: kernelName(disk), deleted: del.exitCode === 0 };
  if (hdparm.exitCode === 0 && !/bad\/missing sense|SG_IO|failed/i.test(hdparm.stderr + hdparm.stdout))
    res.stoppedBy = 'hdparm';
  if (sdparm.exitCode === 0) res.stoppedBy ??= 'sdparm';
  if (!res.stoppedBy && !res.deleted)
    throw new Error(
      `could not spin down or detach ${disk}; it may still be busy: do not pull it before checking \`lsblk\``,
    );
  return res;
}
