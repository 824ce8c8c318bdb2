// The rotation as a daemon Service: the engine plus the events that wake it. A reconcile runs at
// start (resuming a persisted rotation), on device nodes appearing in /dev, udev's database
// entries and `baysync notify` requests (batched, 150 ms), on md events, every 10 minutes, and while a mirror syncs (`mdadm --wait`
// and a progress read every few seconds). Contract: while nothing rotates, the only timer is the
// slow scan; a progress timer exists only while a mirror syncs; stop() ends every watch.
import { type FSWatcher, watch } from 'node:fs';
import type { RotationConfig as Config } from '../config/schema.js';
import type { Service } from '../jobs/service.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import type { ControlRequest } from '../protocol.js';
import { hotplugNodeName } from '../system/block.js';
import { watchUdevBlockEvents } from '../system/udev-db-watch.js';
import { RateLimit } from '../util/rate-limit.js';
import type { Adapters } from './adapters.js';
import { presentSets } from './detect.js';
import { RotationEngine } from './engine.js';
import { gatherFacts } from './facts.js';
import { repairAtStart } from './repair.js';
import { rotationStatus } from './status.js';
import { thawForStop } from './stop.js';
import { RotationStore } from './store.js';
import type { PlannedStep } from './types.js';
import type { VerifyResult } from './verify.js';
import { runVerification } from './verify-standalone.js';

export interface RotationServiceOptions {
  now: () => number;
  onStatus: (text: string) => void;
  scanIntervalMs?: number;
  progressIntervalMs?: number;
  /** Watch /dev for disk nodes (default true; the bench turns it off to time udev's path alone). */
  watchDevices?: boolean;
  /** Sees each planned step just before it runs (tests compare it with what ran). */
  onStep?: (step: PlannedStep) => void;
}

export class RotationService implements Service {
  readonly name = 'rotation';
  static readonly commands = ['plan', 'notify', 'md-event', 'rotate', 'verify'] as const;
  readonly commands = RotationService.commands;
  readonly engine: RotationEngine;
  private readonly log = logger().child({ mod: 'daemon' });
  private line = 'scanning';
  private timers: NodeJS.Timeout[] = [];
  private syncWatch: { mirror: string; abort: AbortController; progress: NodeJS.Timeout } | undefined;
  private hotplugTimer: NodeJS.Timeout | undefined;
  private devWatch: FSWatcher | undefined;
  private udevWatch: FSWatcher | undefined;
  private lastProgressLog = 0;
  /** Hotplug notices in the journal: at most 20 a minute (a flapping enclosure floods it otherwise). */
  private readonly hotplugLog = new RateLimit(20, 60_000);

  constructor(
    private readonly cfg: Config,
    private readonly a: Adapters,
    private readonly mail: MailSpool,
    private readonly o: RotationServiceOptions,
  ) {
    this.engine = new RotationEngine(cfg, a, new RotationStore(cfg.paths.state_dir), mail, {
      now: o.now,
      onStatus: (t) => {
        this.line = t;
        o.onStatus(t);
      },
      onWaitSync: (m) => this.watchSync(m),
      onStep: o.onStep,
    });
  }

  async start(): Promise<void> {
    await repairAtStart(this.cfg, this.a, this.engine.state, this.log, this.mail, this.engine.store.problem);
    const r = this.engine.state.rotation;
    if (r) this.log.warn({ set: r.set, phase: r.phase }, `resuming the rotation of set ${r.set} from phase ${r.phase}`);
    this.watchDeviceNodes();
    await this.engine.reconcile('start-up scan');
    this.timers.push(
      setInterval(() => {
        void this.engine.reconcile('periodic scan');
        this.engine.remindIfOverdue();
      }, this.o.scanIntervalMs ?? 600_000),
    );
    this.engine.remindIfOverdue();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.hotplugTimer) clearTimeout(this.hotplugTimer);
    this.devWatch?.close();
    this.udevWatch?.close();
    this.stopSyncWatch();
    // No next step; the step under way ends (systemd allows 60 s), then a quiesced pool is thawed.
    await this.engine.close(30_000);
    const e = this.engine;
    await thawForStop(this.cfg, this.a, e.state.rotation, this.log, () => e.store.save(e.state));
  }

  busy(): boolean {
    return Boolean(this.engine.state.rotation);
  }

  stalledMs(): number {
    return this.engine.stalledMs();
  }

  statusLine(): string {
    return this.line;
  }

  status(): Record<string, unknown> {
    return {
      ...rotationStatus(this.cfg, this.engine.state, this.o.now(), this.engine.lastPlan, this.engine.poolProblems),
    };
  }

  async handle(req: ControlRequest): Promise<unknown> {
    const e = this.engine;
    switch (req.cmd) {
      case 'plan':
        await e.reconcile('plan request');
        return { rotation: e.state.rotation ?? null, plan: e.lastPlan ?? null, status: this.line };
      case 'notify':
        this.logHotplug(req.action, req.kernel);
        this.scheduleReconcile(`hotplug ${req.action} ${req.kernel}`);
        return { queued: true };
      case 'md-event':
        this.log.info(
          { event: req.event, device: req.device, component: req.component },
          `md event ${req.event} on ${req.device}`,
        );
        void e.reconcile(`md event ${req.event}`);
        return { queued: true };
      case 'rotate':
        if (req.action === 'start') return { started: await this.startRequested(req.set) };
        if (req.action === 'abort') return this.abort().then(() => ({ aborting: true }));
        await e.reconcile('rotate finish request');
        return { rotation: e.state.rotation ?? null };
      case 'verify':
        return this.verify(req.set);
      default:
        throw new Error(`the rotation does not answer ${req.cmd}`);
    }
  }

  /** `rotate start`: a rotation of a set now (even if auto_start is off or it just rotated). */
  private startRequested(set?: string): Promise<string> {
    const e = this.engine;
    return e.request(async () => {
      const r = e.state.rotation;
      if (r)
        throw new Error(
          `a rotation of set ${r.set} is running (phase ${r.phase}); wait for it or run \`baysync rotate abort\``,
        );
      const facts = await gatherFacts(this.cfg, this.a);
      const target = presentSets(this.cfg, facts).find((p) => p.complete && (set ? p.set.name === set : true));
      if (!target)
        throw new Error(set ? `set ${set} is not plugged in completely` : 'no complete external set is plugged in');
      e.startRotation(target.set.name, facts);
      return target.set.name;
    });
  }

  /** `rotate abort`: only before the copy is detached (after that, finishing is the safe way out). */
  private abort(reason = 'aborted by the operator (baysync rotate abort)'): Promise<void> {
    const e = this.engine;
    return e.request(async () => {
      const r = e.state.rotation;
      if (!r) throw new Error('no rotation is running');
      if (r.phase === 'aborting') return;
      if (['verifying', 'spinning-down', 'reporting'].includes(r.phase))
        throw new Error(`the copy is already detached (phase ${r.phase}); let it finish`);
      e.beginAbort(r, reason);
    });
  }

  /** `baysync verify --set X`: verify a plugged-in, detached set outside a rotation. */
  private verify(setName: string): Promise<VerifyResult> {
    const e = this.engine;
    return e.request(() => {
      const r = e.state.rotation;
      if (r) throw new Error(`a rotation of set ${r.set} is running; verify after it`);
      // The split came right after the sync ended: files changed since are not compared (the
      // rotation's end, later, would take files BackupPC rewrote meanwhile for damage).
      const last = e.state.lastBySet[setName];
      const detachedAt = last?.syncEndedAt ?? last?.startedAt ?? new Date(this.o.now()).toISOString();
      return runVerification(
        this.cfg,
        this.a,
        setName,
        detachedAt,
        (rec, facts) => e.runCtx(rec, facts),
        this.o.onStep,
      );
    });
  }

  /** While a mirror syncs: `mdadm --wait` for completion, plus a sysfs progress read every few seconds. */
  private watchSync(mirror: string): void {
    if (this.syncWatch?.mirror === mirror) return;
    this.stopSyncWatch();
    const abort = new AbortController();
    const progress = setInterval(() => {
      void this.engine.refreshProgress().then(() => this.logProgress());
      void this.engine.reconcile('sync progress check');
    }, this.o.progressIntervalMs ?? 5000);
    this.syncWatch = { mirror, abort, progress };
    // Only a running resync/recovery is waited for (mdadm --wait returns at once on an idle array).
    void this.a.md.sysfsState(mirror).then(
      async (st) => {
        if (!st.syncAction || st.syncAction === 'idle') return;
        await this.a.md.waitIdle(mirror, abort.signal);
        if (abort.signal.aborted) return;
        this.log.info({ mirror }, `${mirror}: mdadm --wait returned`);
        this.stopSyncWatch();
        void this.engine.reconcile(`${mirror} sync finished`);
      },
      () => undefined,
    );
  }

  private stopSyncWatch(): void {
    if (!this.syncWatch) return;
    this.syncWatch.abort.abort();
    clearInterval(this.syncWatch.progress);
    this.syncWatch = undefined;
  }

  private logProgress(): void {
    if (this.o.now() - this.lastProgressLog < this.cfg.policy.progress_log_minutes * 60_000) return;
    this.lastProgressLog = this.o.now();
    this.log.info({ status: this.line }, this.line);
  }

  private logHotplug(action: string, kernel: string): void {
    const ok = this.hotplugLog.take();
    if (!ok) return;
    const held = ok.heldBack ? ` (${ok.heldBack} more hotplug notices not logged in the last minute)` : '';
    this.log.info({ action, kernel, heldBack: ok.heldBack || undefined }, `hotplug ${action} ${kernel}${held}`);
  }

  /** Batch the burst of events a set produces (disks, then partitions, from both sources): 150 ms. */
  private scheduleReconcile(trigger: string): void {
    if (this.hotplugTimer) return;
    this.hotplugTimer = setTimeout(() => {
      this.hotplugTimer = undefined;
      void this.noticeWaiting().catch((e: unknown) => this.log.warn({ err: String(e) }, 'waiting-set check failed'));
      void this.engine.reconcile(trigger);
    }, 150);
  }

  /**
   * Invariant 6 at once: a set plugged in while another rotates is told it waits from read-only
   * facts, without waiting for the step under way (a verification takes minutes; the notice went
   * out 21-30 s after the plug-in when it waited for the next reconcile).
   */
  private async noticeWaiting(): Promise<void> {
    const e = this.engine;
    if (!e.state.rotation) return;
    const facts = await gatherFacts(this.cfg, this.a);
    const r = e.state.rotation;
    if (r && e.notices.waiting(facts, r, e.state, e.awaitingRemoval)) e.store.save(e.state);
  }

  /**
   * The two hotplug paths, one inotify watch each, no polling: the kernel's devtmpfs creates and
   * removes the nodes of disks and partitions in /dev about a second before udev has run its
   * rules (measured in the lab); udev's database entry is written once it has. The second path
   * wakes the rotation again when what the rules did (an `mdadm --incremental`, a change event)
   * matters; the 10-minute scan and the start-up scan cover a daemon that saw neither.
   */
  private watchDeviceNodes(): void {
    const dev = this.cfg.paths.dev;
    const udev = this.cfg.paths.udev_data;
    if (this.o.watchDevices !== false)
      try {
        this.devWatch = watch(dev, (_event, name) => {
          if (name && hotplugNodeName.test(name)) this.scheduleReconcile(`device node ${name}`);
        });
        this.devWatch.on('error', (e) => this.log.warn({ err: String(e) }, `watching ${dev} failed`));
      } catch (e) {
        this.log.warn({ err: String(e) }, `cannot watch ${dev}; hotplug is seen through ${udev} only`);
      }
    this.udevWatch = watchUdevBlockEvents(
      udev,
      this.cfg.paths.sysfs,
      (kernel, entry) => {
        this.logHotplug(kernel ? 'processed' : 'removed', kernel ?? entry);
        this.scheduleReconcile(`udev ${kernel ?? entry}`);
      },
      (e) => this.log.warn({ err: String(e) }, `cannot watch ${udev}; hotplug is seen through ${dev} only`),
    );
  }
}
