// The long-running daemon (`baysync daemon`, baysync.service). It only wires and dispatches:
// config, single-instance lock, control socket, sd_notify (READY, STATUS, WATCHDOG, STOPPING),
// and the jobs as Services (jobs/service.ts): the rotation, the standby sync and the failover
// monitor, each built only when its config section is there. A control request goes to the
// Service that lists its `cmd`; `status` merges every Service's part. Contract: SIGTERM stops
// every Service and leaves persisted work to be resumed; the watchdog ping is the only timer of
// its own (half of WatchdogSec).
import { mkdirSync, rmSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import { loadConfig } from '../config/load.js';
import { type Config, hasRotation } from '../config/schema.js';
import { CopyService } from '../copy/service.js';
import { FailoverService } from '../failover/service.js';
import type { Service } from '../jobs/service.js';
import { logger } from '../log.js';
import { MailSpool } from '../mail/spool.js';
import { daemonPidPath, socketPath } from '../paths.js';
import type { ControlRequest } from '../protocol.js';
import { RealtimeService } from '../realtime/service.js';
import { makeAdapters } from '../rotation/adapters.js';
import { RotationService, type RotationServiceOptions } from '../rotation/service.js';
import { FenceAdapter } from '../system/fence.js';
import { NetAdapter } from '../system/net.js';
import { type CommandRunner, ExecRunner } from '../system/runner.js';
import { SshAdapter } from '../system/ssh.js';
import { version } from '../version.js';
import { type ControlServer, serveControl } from './control.js';
import { takeDaemonLock } from './lock.js';
import { MetricsWriter } from './metrics.js';
import { RESTART_EXIT_STATUS, RestartWhenIdle } from './restart-when-idle.js';
import { composeStatus, type StatusData } from './status.js';
import { Watchdog } from './watchdog.js';

export interface DaemonOptions {
  configPath: string;
  runner?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  transport?: Transporter;
  now?: () => number;
  scanIntervalMs?: number;
  progressIntervalMs?: number;
  /** Watch /dev for disk nodes (default true; the bench turns it off to time the udev path alone). */
  watchDevices?: boolean;
  /** Sees each planned rotation step just before it runs (tests compare it with what ran). */
  onStep?: RotationServiceOptions['onStep'];
  /** Ends the process after a restart request (default process.exit; tests record it). */
  exit?: (code: number) => void;
}

export class Daemon {
  readonly cfg: Config;
  readonly mail: MailSpool;
  readonly services: Service[] = [];
  readonly rotation: RotationService | undefined;
  readonly realtime: RealtimeService | undefined;
  readonly failover: FailoverService | undefined;
  readonly copy: CopyService | undefined;
  private control: ControlServer | undefined;
  private readonly watchdog: Watchdog;
  private readonly startedAt = new Date().toISOString();
  private readonly log = logger().child({ mod: 'daemon' });
  private readonly adapters;
  private readonly now: () => number;
  private readonly metrics: MetricsWriter;
  private readonly restart: RestartWhenIdle;

  constructor(private readonly opts: DaemonOptions) {
    const cfg = loadConfig(opts.configPath);
    this.cfg = cfg;
    this.now = opts.now ?? Date.now;
    const runner = opts.runner ?? new ExecRunner();
    this.adapters = makeAdapters(cfg, runner, opts.env ?? process.env);
    this.mail = new MailSpool(cfg.paths.state_dir, cfg.mail, opts.transport);
    const textfile = cfg.metrics.enabled ? cfg.metrics.textfile : undefined;
    this.metrics = new MetricsWriter(textfile, () => this.status(), this.log);
    const onStatus = (): void => this.publishStatus();
    const { now, mail } = this;
    // The failover comes first: an unfinished takeover is resumed before anything else starts.
    const fo = cfg.failover;
    if (fo)
      this.failover = new FailoverService(
        { ...cfg, failover: fo },
        {
          net: new NetAdapter(runner),
          ssh: new SshAdapter(runner),
          fence: new FenceAdapter(runner),
          systemd: this.adapters.systemd,
          mail,
          now,
          onStatus,
        },
      );
    const suspended = (): string | undefined => this.failover?.suspended();
    if (cfg.realtime) this.realtime = new RealtimeService(cfg, { runner, mail, now, suspended, onStatus });
    if (hasRotation(cfg)) {
      const { scanIntervalMs, progressIntervalMs, watchDevices, onStep } = opts;
      const o = { now, onStatus, scanIntervalMs, progressIntervalMs, watchDevices, onStep };
      this.rotation = new RotationService(cfg, this.adapters, mail, o);
    }
    if (cfg.copy) this.copy = new CopyService(cfg, now);
    for (const s of [this.failover, this.realtime, this.rotation, this.copy]) if (s) this.services.push(s);
    const busy = (): string | undefined => this.services.find((s) => s.busy()) && this.statusLine();
    const exit = opts.exit ?? process.exit;
    this.restart = new RestartWhenIdle(busy, () => void this.stop().then(() => exit(RESTART_EXIT_STATUS)), this.log);
    this.watchdog = new Watchdog(this.services, () => void this.adapters.systemd.notify({ WATCHDOG: 1 }), this.log);
  }

  get socketPath(): string {
    return socketPath(this.cfg.paths);
  }

  async start(): Promise<void> {
    mkdirSync(this.cfg.paths.state_dir, { recursive: true, mode: 0o700 });
    await takeDaemonLock(this.cfg.paths, this.socketPath);
    this.control = serveControl(this.socketPath, (req) => this.handle(req));
    await new Promise<void>((r) => this.control!.server.once('listening', () => r()));
    await this.failover?.start();
    await this.adapters.systemd.notify({ READY: 1, STATUS: this.statusLine(), MAINPID: process.pid });
    this.log.info({ version, config: this.opts.configPath }, 'baysync daemon started');
    void this.mail.drain();
    this.watchdog.start(Number((this.opts.env ?? process.env).WATCHDOG_USEC ?? 0));
    for (const s of this.services) if (s !== this.failover) await s.start();
    this.metrics.schedule();
  }

  async stop(): Promise<void> {
    this.log.info('stopping');
    await this.adapters.systemd.notify({ STOPPING: 1, STATUS: 'stopping' });
    this.watchdog.stop();
    this.metrics.stop();
    for (const s of [...this.services].reverse()) await s.stop();
    await this.control?.close();
    this.mail.close();
    rmSync(daemonPidPath(this.cfg.paths), { force: true });
  }

  /** A busy Service's line alone; otherwise every Service's line, joined. */
  statusLine(): string {
    const busy = this.services.find((s) => s.busy());
    if (busy) return busy.statusLine() ?? busy.name;
    return (
      this.services
        .map((s) => s.statusLine())
        .filter(Boolean)
        .join('; ') || 'idle'
    );
  }

  private publishStatus(): void {
    void this.adapters.systemd.status(this.statusLine());
    this.metrics.schedule();
    this.restart.check();
  }

  async handle(req: ControlRequest): Promise<unknown> {
    if (req.cmd === 'ping') return { pid: process.pid, version };
    if (req.cmd === 'status') return this.status();
    if (req.cmd === 'restart-when-idle') return this.restart.request();
    const svc = this.services.find((s) => (s.commands as readonly string[]).includes(req.cmd));
    if (svc) return svc.handle(req);
    if (req.cmd === 'notify' || req.cmd === 'md-event') return { queued: false };
    if (req.cmd === 'plan') return { rotation: null, plan: null, status: this.statusLine() };
    if (req.cmd === 'failover') throw new Error('no [failover] section on this host');
    throw new Error('no rotation is configured on this host ([storage] and [[sets]])');
  }

  status(): StatusData {
    const pending = this.mail.pending();
    const base = {
      version,
      pid: process.pid,
      startedAt: this.startedAt,
      statusLine: this.statusLine(),
      mailPending: pending.length,
      mailLastError: pending.filter((e) => e.lastError).at(-1)?.lastError ?? null,
    };
    return composeStatus(
      this.cfg,
      base,
      this.now(),
      this.services.map((s) => s.status()),
    );
  }
}

export async function runDaemon(configPath: string): Promise<void> {
  const d = new Daemon({ configPath });
  const stop = (): void => {
    void d.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await d.start();
}
