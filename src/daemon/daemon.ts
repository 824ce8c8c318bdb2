// The long-running daemon (`baysync daemon`, baysync.service). It owns the lifecycle: config,
// single-instance lock, control socket, sd_notify (READY, STATUS, WATCHDOG, STOPPING), the
// reconciliation scan at start and on a slow timer, and the event sources (hotplug notices on
// the socket, device nodes appearing in /dev, `mdadm --wait` while a mirror syncs). Contract: while nothing rotates, the only
// timers are the slow scan (10 min) and the watchdog ping (half of WatchdogSec, >= 60 s in the
// shipped unit); a progress timer exists only while a mirror syncs. SIGTERM stops cleanly and
// leaves the persisted rotation to be resumed.
import { closeSync, mkdirSync, openSync, rmSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { hasRotation, type Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { ExecRunner, type CommandRunner } from '../system/runner.js';
import { makeAdapters } from '../rotation/adapters.js';
import { RotationEngine } from '../rotation/engine.js';
import { StateStore } from './state-store.js';
import { emptyState } from '../rotation/types.js';
import { MailSpool } from '../mail/spool.js';
import { serveControl, request as controlRequest, type ControlRequest } from './control.js';
import { buildStatus, setStatuses, newestCopyAgeDays } from './status.js';
import { logger } from '../log.js';
import { disableMarker } from '../system/backuppc.js';
import { hotplugNodeName } from '../system/block.js';
import { NetAdapter } from '../system/net.js';
import { SshAdapter } from '../system/ssh.js';
import { SyncExecutor } from '../realtime/run.js';
import { Pusher } from '../realtime/pusher.js';
import { FailoverMonitor } from '../failover/monitor.js';
import { FailoverStore } from '../failover/state.js';
import { processAlive, readHolder } from '../util/lockfile.js';
import { realtimeStatus } from './status.js';
import { version } from '../version.js';
import type { Transporter } from 'nodemailer';

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
}

export class Daemon {
  readonly cfg: Config;
  /** The rotation workflow; absent on a host without [storage] and [[sets]] (a standby). */
  readonly engine: RotationEngine | undefined;
  readonly mail: MailSpool;
  private server: Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private syncWatch: { mirror: string; abort: AbortController; progress: NodeJS.Timeout } | undefined;
  private hotplugTimer: NodeJS.Timeout | undefined;
  private devWatch: FSWatcher | undefined;
  private statusText = 'starting';
  /** Status parts of the side jobs, shown when no rotation runs. */
  private readonly parts = new Map<'failover' | 'push', string>();
  private lastProgressLog = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly log = logger().child({ mod: 'daemon' });
  private readonly adapters;
  private readonly now: () => number;
  private lockPath: string;
  /** Push mode of the real-time sync (on the main server). */
  readonly pusher: Pusher | undefined;
  private readonly syncExec: SyncExecutor | undefined;
  /** The failover monitor (on the standby). */
  readonly failover: FailoverMonitor | undefined;

  constructor(private readonly opts: DaemonOptions) {
    this.cfg = loadConfig(opts.configPath);
    this.now = opts.now ?? Date.now;
    const runner = opts.runner ?? new ExecRunner();
    this.adapters = makeAdapters(this.cfg, runner, opts.env ?? process.env);
    this.mail = new MailSpool(this.cfg.paths.state_dir, this.cfg.mail, opts.transport);
    this.engine = hasRotation(this.cfg)
      ? new RotationEngine(this.cfg, this.adapters, new StateStore(this.cfg.paths.state_dir), this.mail, {
          now: this.now,
          onStatus: (t) => this.setStatus(t),
          onWaitSync: (m) => this.watchSync(m),
        })
      : undefined;
    this.lockPath = join(this.cfg.paths.run_dir, 'daemon.pid');
    if (this.cfg.realtime) this.syncExec = new SyncExecutor(this.cfg, runner, this.now);
    if (this.cfg.realtime?.mode === 'push' && this.syncExec) this.pusher = new Pusher(this.cfg, this.syncExec, this.mail, this.now, (t) => this.setPart('push', t));
    const fo = this.cfg.failover;
    if (fo) {
      this.failover = new FailoverMonitor(
        { cfg: { ...this.cfg, failover: fo }, sysfs: this.cfg.paths.sysfs, net: new NetAdapter(runner), ssh: new SshAdapter(runner), systemd: this.adapters.systemd, mail: this.mail, store: new FailoverStore(this.cfg.paths.state_dir), now: this.now },
        (t) => this.setPart('failover', t),
      );
    }
  }

  get socketPath(): string {
    return join(this.cfg.paths.run_dir, 'control.sock');
  }

  async start(): Promise<void> {
    mkdirSync(this.cfg.paths.state_dir, { recursive: true, mode: 0o700 });
    await this.takeLock();
    this.server = serveControl(this.socketPath, (req) => this.handle(req));
    await new Promise<void>((r) => this.server!.once('listening', () => r()));
    this.restoreForgottenBackupPc();
    const r = this.engine?.state.rotation;
    if (r) this.log.warn({ set: r.set, phase: r.phase }, `resuming the rotation of set ${r.set} from phase ${r.phase}`);
    // The failover comes first: an unfinished takeover is resumed before READY.
    await this.failover?.start();
    if (!this.engine && !this.failover && !this.pusher) this.statusText = 'idle (the pull sync runs on baysync-sync.timer)';
    await this.adapters.systemd.notify({ READY: 1, STATUS: this.engine ? 'scanning' : this.statusText, MAINPID: process.pid });
    this.log.info({ version, config: this.opts.configPath }, 'baysync daemon started');
    void this.mail.drain();
    await this.pusher?.start();
    if (this.engine) {
      const engine = this.engine;
      if (this.opts.watchDevices !== false) this.watchDeviceNodes();
      await engine.reconcile('start-up scan');
      const scan = setInterval(() => {
        void engine.reconcile('periodic scan');
        this.remindIfOverdue();
      }, this.opts.scanIntervalMs ?? 600_000);
      this.timers.push(scan);
    }
    const wd = Number((this.opts.env ?? process.env).WATCHDOG_USEC ?? 0);
    if (wd > 0) this.timers.push(setInterval(() => void this.adapters.systemd.notify({ WATCHDOG: 1 }), Math.max(1000, wd / 2000)));
    this.remindIfOverdue();
  }

  async stop(): Promise<void> {
    this.log.info('stopping');
    await this.adapters.systemd.notify({ STOPPING: 1, STATUS: 'stopping' });
    for (const t of this.timers) clearInterval(t);
    if (this.hotplugTimer) clearTimeout(this.hotplugTimer);
    this.devWatch?.close();
    this.stopSyncWatch();
    await this.failover?.stop();
    await this.pusher?.stop();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.mail.close();
    rmSync(this.lockPath, { force: true });
  }

  private async takeLock(): Promise<void> {
    mkdirSync(this.cfg.paths.run_dir, { recursive: true });
    const answering = await controlRequest(this.socketPath, { cmd: 'ping' }, 2000).then(() => true, () => false);
    if (answering) throw new Error(`another baysync daemon answers on ${this.socketPath}; only one may run`);
    const pid = readHolder(this.lockPath);
    if (pid && pid !== process.pid && processAlive(pid)) throw new Error(`another baysync daemon (pid ${pid}) holds ${this.lockPath}`);
    const fd = openSync(this.lockPath, 'w', 0o644);
    writeSync(fd, String(process.pid));
    closeSync(fd);
  }

  /** Invariant 5: a control include still carrying baysync's pause marker with no rotation recorded is restored. */
  private restoreForgottenBackupPc(): void {
    if (!this.engine || !this.cfg.backuppc.enabled || this.engine.state.rotation) return;
    const content = this.adapters.backuppc.readControl();
    if (content?.includes(disableMarker)) {
      this.log.warn({ file: this.cfg.backuppc.control_include }, 'BackupPC was left paused by an interrupted rotation with no record; re-enabling dumps');
      this.adapters.backuppc.writeControl('$Conf{BackupsDisable} = 0;\n');
      void this.adapters.backuppc.serviceActive().then((a) => (a ? this.adapters.backuppc.reload() : undefined)).catch((e: unknown) => this.log.error({ err: String(e) }, 'BackupPC reload failed'));
    }
  }

  private setPart(key: 'failover' | 'push', text: string): void {
    this.parts.set(key, text);
    if (!this.engine?.state.rotation) this.setStatus([...this.parts.values()].join('; '));
  }

  private setStatus(text: string): void {
    this.statusText = text;
    void this.adapters.systemd.status(text);
  }

  /** While a mirror syncs: `mdadm --wait` for completion, plus a sysfs progress read every few seconds. */
  private watchSync(mirror: string): void {
    const engine = this.engine;
    if (!engine) return;
    if (this.syncWatch?.mirror === mirror) return;
    // Only a running resync/recovery is waited for with mdadm --wait (it returns at once on an
    // idle array); otherwise the progress timer alone re-checks, every few seconds while a rotation syncs.
    this.stopSyncWatch();
    const abort = new AbortController();
    const progress = setInterval(() => {
      void engine.refreshProgress().then(() => this.logProgress());
      void engine.reconcile('sync progress check');
    }, this.opts.progressIntervalMs ?? 5000);
    this.syncWatch = { mirror, abort, progress };
    void this.adapters.md.sysfsState(mirror).then(async (st) => {
      if (!st.syncAction || st.syncAction === 'idle') return;
      await this.adapters.md.waitIdle(mirror, abort.signal);
      if (abort.signal.aborted) return;
      this.log.info({ mirror }, `${mirror}: mdadm --wait returned`);
      this.stopSyncWatch();
      void engine.reconcile(`${mirror} sync finished`);
    }, () => undefined);
  }

  private stopSyncWatch(): void {
    if (!this.syncWatch) return;
    this.syncWatch.abort.abort();
    clearInterval(this.syncWatch.progress);
    this.syncWatch = undefined;
  }

  private logProgress(): void {
    const every = this.cfg.policy.progress_log_minutes * 60_000;
    if (this.now() - this.lastProgressLog < every) return;
    this.lastProgressLog = this.now();
    this.log.info({ status: this.statusText }, this.statusText);
  }

  private remindIfOverdue(): void {
    if (!this.engine) return;
    const st = this.engine.state;
    const sets = setStatuses(this.cfg, st, this.now());
    const newest = newestCopyAgeDays(sets);
    const overdue = newest === undefined ? st.history.length > 0 : newest > this.cfg.policy.warn_after_days;
    if (!overdue || st.rotation) return;
    if (st.lastReminderAt && this.now() - Date.parse(st.lastReminderAt) < 86_400_000) return;
    st.lastReminderAt = new Date(this.now()).toISOString();
    this.engine.store.save(st);
    const lines = sets.map((s) => `  set ${s.name}: last good copy ${s.lastSuccess ? `${s.lastSuccess.slice(0, 10)} (${s.ageDays} days ago)` : 'never'}`);
    this.log.warn({ newestCopyAgeDays: newest }, 'offline-copy rotation overdue');
    this.mail.enqueue({
      subject: '[baysync] offline-copy rotation overdue',
      text: `No offline copy has been made for ${newest?.toFixed(1) ?? 'many'} days (policy: every ${this.cfg.policy.rotation_days}, warn after ${this.cfg.policy.warn_after_days}).\n\n${lines.join('\n')}\n\nPlug in the set that is due; baysync does the rest and mails you when it is safe to remove.\n`,
    });
  }

  private onHotplug(action: string, kernel: string): void {
    this.log.info({ action, kernel }, `hotplug ${action} ${kernel}`);
    this.scheduleReconcile(`hotplug ${action} ${kernel}`);
  }

  /** Batch the burst of events a set produces (disks, then partitions, from both sources): 150 ms. */
  private scheduleReconcile(trigger: string): void {
    if (this.hotplugTimer) return;
    this.hotplugTimer = setTimeout(() => {
      this.hotplugTimer = undefined;
      void this.engine?.reconcile(trigger);
    }, 150);
  }

  /**
   * The fast hotplug path: the kernel's devtmpfs creates and removes the nodes of disks and
   * partitions in /dev as it sees them, about a second before udev has run its rules and
   * systemd the hotplug unit (measured in the lab). One inotify watch, no polling. The udev
   * rule and its unit stay the path that always works (and the one that names the event).
   */
  private watchDeviceNodes(): void {
    try {
      this.devWatch = watch(this.cfg.paths.dev, (_event, name) => {
        if (name && hotplugNodeName.test(name)) this.scheduleReconcile(`device node ${name}`);
      });
      this.devWatch.on('error', (e) => this.log.warn({ err: String(e) }, `watching ${this.cfg.paths.dev} failed; hotplug notices come from the udev rule only`));
    } catch (e) {
      this.log.warn({ err: String(e) }, `cannot watch ${this.cfg.paths.dev}; hotplug notices come from the udev rule only`);
    }
  }

  async handle(req: ControlRequest): Promise<unknown> {
    switch (req.cmd) {
      case 'ping':
        return { pid: process.pid, version };
      case 'status':
        return this.status();
      case 'plan':
        if (!this.engine) return { rotation: null, plan: null, status: this.statusText };
        await this.engine.reconcile('plan request');
        return { rotation: this.engine.state.rotation ?? null, plan: this.engine.lastPlan ?? null, status: this.statusText };
      case 'notify':
        this.onHotplug(req.action, req.kernel);
        return { queued: true };
      case 'md-event':
        this.log.info({ event: req.event, device: req.device, component: req.component }, `md event ${req.event} on ${req.device}`);
        void this.engine?.reconcile(`md event ${req.event}`);
        return { queued: true };
      case 'rotate':
        if (!this.engine) throw new Error('no rotation is configured on this host ([storage] and [[sets]])');
        if (req.action === 'start') return { started: await this.engine.requestStart(req.set) };
        if (req.action === 'abort') {
          await this.engine.requestAbort();
          return { aborting: true };
        }
        await this.engine.reconcile('rotate finish request');
        return { rotation: this.engine.state.rotation ?? null };
      case 'verify':
        if (!this.engine) throw new Error('no rotation is configured on this host ([storage] and [[sets]])');
        return this.engine.verifyStandalone(req.set);
      case 'failover': {
        const fo = this.failover;
        if (!fo) throw new Error('no [failover] section on this host');
        if (req.action === 'begin-failback') return fo.beginFailback();
        if (req.action === 'resume') return fo.resume();
        if (req.action === 'cancel-failback') return fo.cancelFailback();
        return fo.status();
      }
    }
  }

  status(): ReturnType<typeof buildStatus> {
    const base = buildStatus({
      cfg: this.cfg,
      state: this.engine?.state ?? emptyState(),
      plan: this.engine?.lastPlan,
      now: this.now(),
      pid: process.pid,
      startedAt: this.startedAt,
      statusLine: this.statusText,
      mailPending: this.mail.pending().length,
      version,
      poolProblems: this.engine?.poolProblems,
    });
    if (this.syncExec) {
      const holder = readHolder(this.syncExec.lockPath);
      const phase = this.failover?.state.phase;
      base.realtime = realtimeStatus(this.cfg, this.syncExec.store.load(), this.now(), {
        runningPid: holder && processAlive(holder) ? holder : undefined,
        suspended: phase && phase !== 'monitoring' ? `failover ${phase}` : undefined,
        push: this.pusher?.status(),
      });
    }
    if (this.failover) base.failover = this.failover.status();
    return base;
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
