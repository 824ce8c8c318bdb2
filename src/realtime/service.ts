// The standby sync as a daemon Service: push mode's watcher on the main server, and the sync's
// part of `baysync status` on either side (the pull itself runs on baysync-sync.timer). What it
// needs of the failover comes in as a predicate: `suspended()` says why runs must not start.
import type { Config } from '../config/schema.js';
import type { Service } from '../jobs/service.js';
import type { MailSpool } from '../mail/spool.js';
import type { CommandRunner } from '../system/runner.js';
import { processAlive, readHolder } from '../util/lockfile.js';
import { Pusher } from './pusher.js';
import { SyncExecutor } from './run.js';
import { realtimeStatus } from './status.js';

export interface RealtimeDeps {
  runner: CommandRunner;
  mail: MailSpool;
  now: () => number;
  suspended: () => string | undefined;
  onStatus: (text: string) => void;
}

export class RealtimeService implements Service {
  readonly name = 'realtime';
  static readonly commands = [] as const;
  readonly commands = RealtimeService.commands;
  readonly exec: SyncExecutor;
  readonly pusher: Pusher | undefined;
  private line: string | undefined;

  constructor(
    private readonly cfg: Config,
    private readonly d: RealtimeDeps,
  ) {
    this.exec = new SyncExecutor(cfg, d.runner, d.suspended, d.now, d.mail);
    if (cfg.realtime?.mode === 'push') {
      this.pusher = new Pusher(cfg, this.exec, d.mail, d.now, (t) => {
        this.line = t;
        d.onStatus(t);
      });
    } else this.line = 'idle (the pull sync runs on baysync-sync.timer)';
  }

  async start(): Promise<void> {
    await this.pusher?.start();
  }

  async stop(): Promise<void> {
    await this.pusher?.stop();
  }

  busy(): boolean {
    return false;
  }

  statusLine(): string | undefined {
    return this.line;
  }

  status(): Record<string, unknown> {
    const holder = readHolder(this.exec.lockPath);
    return {
      realtime: realtimeStatus(this.cfg, this.exec.store.load(), this.d.now(), {
        runningPid: holder && processAlive(holder) ? holder : undefined,
        suspended: this.d.suspended(),
        push: this.pusher?.status(),
      }),
    };
  }

  handle(req: { cmd: string }): Promise<unknown> {
    return Promise.reject(new Error(`the standby sync does not answer ${req.cmd}`));
  }
}
