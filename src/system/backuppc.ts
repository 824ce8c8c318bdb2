// BackupPC adapter: reads the seed's control include ($Conf{BackupsDisable}), whether the
// service runs and how many dumps run (from /proc); backuppcOps lists the operations (write the
// include, the server reload through BackupPC_serverMesg as the backuppc user via runuser, stop
// and start the service). Contract: no decisions here; argv only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { readNoFollow } from '../util/safe-file.js';
import { file, type Op, run } from './op.js';
import type { CommandRunner } from './runner.js';

export const disableMarker = '# set by baysync during a rotation; baysync restores the previous content';
export const disableLine = `$Conf{BackupsDisable} = 2; ${disableMarker}\n`;
export const enableLine = '$Conf{BackupsDisable} = 0;\n';

/** The operations on BackupPC, as data (jobs/op.ts). Contract: pure, argv only. */
export const backuppcOps = {
  /** Replace the control include ($Conf{BackupsDisable}). */
  writeControl: (cfg: Config['backuppc'], content: string): Op => file(cfg.control_include, content),
  /** Make the running server read its config again (a failure is the step's to judge). */
  reload: (cfg: Config['backuppc']): Op =>
    run(['runuser', '-u', cfg.user, '--', cfg.server_mesg, 'server', 'reload'], 60_000, { mayFail: true }),
  stop: (cfg: Config['backuppc']): Op => run(['systemctl', 'stop', '--', cfg.service], 300_000),
  start: (cfg: Config['backuppc']): Op => run(['systemctl', 'start', '--', cfg.service], 300_000),
};

export class BackupPcAdapter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly cfg: Config['backuppc'],
    private readonly proc = '/proc',
  ) {}

  /** The include's content (undefined: absent). A symlink or a non-regular file throws (invariant 11). */
  readControl(): string | undefined {
    return readNoFollow(this.cfg.control_include);
  }

  async serviceActive(): Promise<boolean> {
    const r = await this.runner.run(['systemctl', 'is-active', '--quiet', this.cfg.service], {
      allowFailure: true,
      quiet: true,
      timeoutMs: 15_000,
    });
    return r.exitCode === 0;
  }

  /** Number of BackupPC_dump processes running (read from /proc, no process spawned). */
  async runningDumps(): Promise<number> {
    return countProcesses(this.proc, 'BackupPC_dump');
  }
}

/** Count processes whose comm (the kernel's 15-character name) equals `name`. */
export async function countProcesses(proc: string, name: string): Promise<number> {
  let n = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync(proc).filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    let comm = '';
    try {
      comm = readFileSync(join(proc, pid, 'comm'), 'utf8'); // procfs: synchronous, never blocks
    } catch {
      // the process ended meanwhile
    }
    if (comm.trim() === name.slice(0, 15)) n++;
  }
  return n;
}
