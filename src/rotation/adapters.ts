// The bundle of system adapters a workflow executes through, built on one CommandRunner.
// Contract: tests build the same bundle over a fake runner and a fake sysfs tree.
import type { Config } from '../config/schema.js';
import { BackupPcAdapter } from '../system/backuppc.js';
import { BlockAdapter } from '../system/block.js';
import { FsAdapter } from '../system/fs.js';
import { MdAdapter } from '../system/md.js';
import { MirrorHalves } from '../system/mirror-halves.js';
import { OpRunner } from '../system/op-runner.js';
import type { CommandRunner } from '../system/runner.js';
import { SystemdAdapter } from '../system/systemd.js';

export interface Adapters {
  runner: CommandRunner;
  md: MdAdapter;
  block: BlockAdapter;
  fs: FsAdapter;
  /** Reads the halves of a mirror for the block-level proof of a copy. */
  halves: MirrorHalves;
  backuppc: BackupPcAdapter;
  /** Runs the planned operations of the steps. */
  ops: OpRunner;
  systemd: SystemdAdapter;
}

export function makeAdapters(cfg: Config, runner: CommandRunner, env: NodeJS.ProcessEnv = process.env): Adapters {
  return {
    runner,
    md: new MdAdapter(runner, cfg.paths.sysfs, cfg.paths.proc, cfg.paths.dev),
    block: new BlockAdapter(cfg.paths.sysfs),
    fs: new FsAdapter(runner),
    halves: new MirrorHalves(cfg.paths.dev),
    backuppc: new BackupPcAdapter(runner, cfg.backuppc, cfg.paths.proc),
    ops: new OpRunner(runner),
    systemd: new SystemdAdapter(runner, env),
  };
}
