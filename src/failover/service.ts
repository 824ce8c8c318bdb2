// The failover monitor as a daemon Service (on the standby): it resumes an unfinished takeover
// at start, answers `baysync failover …`, and tells the standby sync whether it is suspended
// (a takeover made: the copy is now the live data).
import type { Config, FailoverConfig } from '../config/schema.js';
import type { Service } from '../jobs/service.js';
import type { MailSpool } from '../mail/spool.js';
import type { ControlRequest } from '../protocol.js';
import type { FenceAdapter } from '../system/fence.js';
import type { NetAdapter } from '../system/net.js';
import type { SshAdapter } from '../system/ssh.js';
import type { SystemdAdapter } from '../system/systemd.js';
import { FailoverMonitor } from './monitor.js';
import { FailoverStore } from './state.js';

export interface FailoverDeps {
  net: NetAdapter;
  ssh: SshAdapter;
  systemd: SystemdAdapter;
  mail: MailSpool;
  now: () => number;
  onStatus: (text: string) => void;
  fence?: FenceAdapter;
}

export class FailoverService implements Service {
  readonly name = 'failover';
  static readonly commands = ['failover'] as const;
  readonly commands = FailoverService.commands;
  readonly monitor: FailoverMonitor;
  private line: string | undefined;

  constructor(cfg: Config & { failover: FailoverConfig }, d: FailoverDeps) {
    const store = new FailoverStore(cfg.paths.state_dir);
    this.monitor = new FailoverMonitor({ cfg, sysfs: cfg.paths.sysfs, ...d, store }, (t) => {
      this.line = t;
      d.onStatus(t);
    });
  }

  /** Why the standby sync must not run now, if it must not (the takeover is made or under way). */
  suspended(): string | undefined {
    const phase = this.monitor.state.phase;
    return phase !== 'monitoring' ? `failover ${phase}` : undefined;
  }

  start(): Promise<void> {
    return this.monitor.start();
  }

  stop(): Promise<void> {
    return this.monitor.stop();
  }

  busy(): boolean {
    return this.monitor.state.phase === 'takeover';
  }

  statusLine(): string | undefined {
    return this.line;
  }

  status(): Record<string, unknown> {
    return { failover: this.monitor.status() };
  }

  async handle(req: ControlRequest): Promise<unknown> {
    if (req.cmd !== 'failover') throw new Error(`the failover does not answer ${req.cmd}`);
    const fo = this.monitor;
    if (req.action === 'begin-failback') return fo.beginFailback();
    if (req.action === 'resume') return fo.resume();
    if (req.action === 'cancel-failback') return fo.cancelFailback();
    return fo.status();
  }
}
