// BackupPC adapter: the seed's control include ($Conf{BackupsDisable}), the server reload
// through BackupPC_serverMesg (as the backuppc user, via runuser, argv only), the service
// through systemctl, and the count of running dumps (pgrep). Contract: no decisions here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRunner } from './runner.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Config } from '../config/schema.js';

export const disableMarker = '# set by baysync during a rotation; baysync restores the previous content';
export const disableLine = `$Conf{BackupsDisable} = 2; ${disableMarker}\n`;
export const enableLine = '$Conf{BackupsDisable} = 0;\n';

export class BackupPcAdapter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly cfg: Config['backuppc'],
    private readonly proc = '/proc',
  ) {}

  readControl(): string | undefined {
    try {
      return readFileSync(this.cfg.control_include, 'utf8');
    } catch {
      return undefined;
    }
  }

  writeControl(content: string): void {
    writeFileAtomic(this.cfg.control_include, content, 0o644);
  }

  async reload(): Promise<void> {
    await this.runner.run(['runuser', '-u', this.cfg.user, '--', this.cfg.server_mesg, 'server', 'reload'], { timeoutMs: 60_000 });
  }

  async serviceActive(): Promise<boolean> {
    const r = await this.runner.run(['systemctl', 'is-active', '--quiet', this.cfg.service], { allowFailure: true, quiet: true, timeoutMs: 15_000 });
    return r.exitCode === 0;
  }

  async stop(): Promise<void> {
    await this.runner.run(['systemctl', 'stop', this.cfg.service], { timeoutMs: 300_000 });
  }

  async start(): Promise<void> {
    await this.runner.run(['systemctl', 'start', this.cfg.service], { timeoutMs: 300_000 });
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
