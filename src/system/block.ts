// Block-device adapter: lists disks and partitions with lsblk (JSON) and reads sizes.
// Contract: names returned are validated kernel names; no decisions are made here.
import type { CommandRunner } from './runner.js';
import { parseLsblk, type BlockDevice } from './parsers/lsblk.js';
import { logger } from '../log.js';

export class BlockAdapter {
  constructor(private readonly runner: CommandRunner) {}

  async list(): Promise<BlockDevice[]> {
    const r = await this.runner.run(
      ['lsblk', '--json', '--list', '--bytes', '--output', 'NAME,KNAME,PKNAME,TYPE,SIZE,RO,RM,SERIAL,MODEL,TRAN'],
      { quiet: true, timeoutMs: 15_000 },
    );
    const { devices, rejected } = parseLsblk(r.stdout);
    if (rejected.length) logger().child({ mod: 'block' }).warn({ rejected }, 'ignoring block devices with unexpected kernel names');
    return devices;
  }
}
