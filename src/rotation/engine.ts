// The rotation executor on the job kernel. reconcile() reads the facts, follows renamed members,
// asks the pure planner for the plan (steps/), and runs the first open step with exactly the
// operations the plan listed (jobs/op-runner.ts), until the plan says wait or finish. Every
// transition is logged `phase A => phase B` and persisted before the next step (jobs/record.ts):
// after a crash the next reconcile() resumes from the persisted phase checked against the kernel.
// A failing step turns the rotation into an abort whose steps each run once. Contract: reconcile() calls are serialized; it never throws; mail never blocks a step.
import { randomUUID } from 'node:crypto';
import type { RotationConfig as Config } from '../config/schema.js';
import { markPassed, runPlanned } from '../jobs/executor.js';
import { type RecordIo, transition } from '../jobs/record.js';
import { Serial } from '../jobs/serial.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import type { Adapters } from './adapters.js';
import { activeArrayByUuid, presentSets } from './detect.js';
import { gatherFacts } from './facts.js';
import { Notices } from './notices.js';
import { plan } from './planner.js';
import { noteRenames } from './renames.js';
import { historyEntry } from './report.js';
import { newRotation, whichToStart } from './start.js';
import { idleStatus, mirrorProgress, statusLine } from './status-line.js';
import { derive, type RunCtx } from './steps/context.js';
import { abortSteps, normalSteps } from './steps/index.js';
import type { RotationStore } from './store.js';
import type { Facts, Outcome, PersistedState, Plan, PlannedStep, RotationState } from './types.js';

export interface EngineOptions {
  now?: () => number;
  /** Called whenever the status line changes (daemon: STATUS=). */
  onStatus?: (text: string) => void;
  /** Called when the plan waits for md (daemon: start mdadm --wait + progress timer). */
  onWaitSync?: (mirror: string) => void;
  /** Called with each planned step just before it runs (tests compare it with what ran). */
  onStep?: (step: PlannedStep) => void;
}

const stepById = new Map([...normalSteps, ...abortSteps].map((s) => [s.id, s]));

export class RotationEngine {
  state: PersistedState;
  private readonly log = logger().child({ mod: 'rotation' });
  private inhibitor: { release: () => void } | undefined;
  readonly notices: Notices;
  /** Sets that completed while still plugged in: not restarted until seen absent once. */
  readonly awaitingRemoval = new Set<string>();
  private readonly now: () => number;
  private readonly io: RecordIo;
  private readonly serial: Serial;
  lastPlan: Plan | undefined;

  constructor(
    readonly cfg: Config,
    readonly a: Adapters,
    readonly store: RotationStore,
    readonly mail: MailSpool,
    private readonly opts: EngineOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.state = store.load();
    this.notices = new Notices(cfg, mail, this.log);
    this.serial = new Serial(this.log, this.now);
    this.io = { persist: () => this.persist(), now: () => this.iso(), log: this.log };
  }

  /** How long the work under way has gone without progress (the daemon's watchdog reads it). */
  stalledMs = (): number => this.serial.stalledMs();

  /** Daemon stop: no next step; resolves when the step under way has ended (at most `ms`). */
  close(ms: number): Promise<void> {
    return this.serial.close(ms);
  }

  get poolProblems(): string[] {
    return this.notices.poolProblems;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private persist(): void {
    this.store.save(this.state);
  }

  /** Serialize all work; returns when a reconcile after this call has run. Calls made while one
   *  is still queued join it (its facts are read when it starts, so it sees their events too). */
  reconcile(trigger: string): Promise<void> {
    return this.serial.runCoalesced(() => this.reconcileOnce(trigger));
  }

  /** An operator request, in turn with the reconciles; the job reconciles right after it. */
  request<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.request(fn, () => this.reconcileOnce('operator request'));
  }

  private async reconcileOnce(trigger: string): Promise<void> {
    this.log.debug({ trigger }, 'reconcile');
    // Facts read for an iteration that changed nothing in the system (a rotation just recorded,
    // the pure set check) serve the next one: each read costs about 0.2 s under emulation.
    let unchanged: Facts | undefined;
    for (let guard = 0; guard < 200; guard++) {
      const r = this.state.rotation;
      const facts = unchanged ?? (await gatherFacts(this.cfg, this.a, r));
      unchanged = undefined;
      if (!this.serial.beat()) return;
      this.notices.unknown(facts);
      this.notices.pool(facts);
      this.forgetAbsentSets(facts);
      if (!r) {
        this.lastPlan = undefined;
        if (!this.maybeStart(facts)) return this.opts.onStatus?.(idleStatus(this.state));
        // Idle facts lack what only a rotation reads (the content of an assembled stripe).
        if (!this.cfg.sets.some((s) => activeArrayByUuid(facts, s.stripe_uuid))) unchanged = facts;
        continue;
      }
      if (noteRenames(r, facts, this.log)) this.persist();
      // Invariant 9 from start to end, for a rotation resumed after a restart too.
      this.inhibitor ??= this.a.systemd.inhibit(`offline-copy rotation of set ${r.set}`);
      if (this.notices.waiting(facts, r, this.state, this.awaitingRemoval)) this.persist();
      const p = plan({ cfg: this.cfg, rotation: r, facts });
      this.lastPlan = p;
      const next = p.next;
      if (next.kind === 'abort') {
        this.beginAbort(r, next.reason);
        continue;
      }
      if (p.phase !== r.phase) transition(r, p.phase, this.io, { set: r.set });
      if (next.kind === 'finish') {
        this.finish(r, next.outcome);
        continue;
      }
      if (next.kind === 'wait') return this.waitFor(r, next.step, next.reason, facts);
      this.opts.onStatus?.(statusLine(r, next.step.title));
      markPassed(r, p.steps, next.step, (id) => {
        if (id === 'wait-clean') r.syncEndedAt ??= this.iso();
      });
      await this.runStep(r, next.step, facts);
      if (stepById.get(next.step.id)?.keepsFacts && this.state.rotation?.phase !== 'aborting') unchanged = facts;
    }
    this.log.error('reconcile did not settle after 200 steps; stopping this round');
  }

  private waitFor(r: RotationState, step: PlannedStep, reason: string, facts: Facts): void {
    if (step.id === 'wait-clean') {
      r.syncStartedAt ??= this.iso();
      const m = derive(this.cfg, r, facts).mirror;
      r.progress = (m && mirrorProgress(m, this.iso())) ?? r.progress;
      this.persist();
      if (m) this.opts.onWaitSync?.(m.name);
    }
    this.opts.onStatus?.(statusLine(r, reason));
  }

  runCtx(r: RotationState, facts: Facts): RunCtx {
    return {
      ...derive(this.cfg, r, facts),
      a: this.a,
      mail: this.mail,
      log: this.log,
      persist: () => this.persist(),
      nowMs: this.now,
      iso: () => this.iso(),
      beat: () => void this.serial.beat(),
    };
  }

  private runStep(r: RotationState, planned: PlannedStep, facts: Facts): Promise<void> {
    const step = stepById.get(planned.id)!;
    const beginAbort = (reason: string): void => this.beginAbort(r, reason);
    const ctx = this.runCtx(r, facts);
    return runPlanned({
      record: r,
      planned,
      step,
      ctx,
      ops: this.a.ops,
      io: this.io,
      abortPhase: 'aborting',
      beginAbort,
      onStep: this.opts.onStep,
    });
  }

  private forgetAbsentSets(facts: Facts): void {
    const present = new Set(presentSets(this.cfg, facts).map((p) => p.set.name));
    for (const s of [...this.awaitingRemoval]) if (!present.has(s)) this.awaitingRemoval.delete(s);
    this.state.waiting = this.state.waiting.filter((s) => present.has(s));
  }

  private maybeStart(facts: Facts): boolean {
    const { start, manual } = whichToStart(this.cfg, this.state, facts, this.awaitingRemoval);
    for (const m of manual)
      this.log.info({ set: m }, `set ${m} is plugged in; auto_start is off: run \`baysync rotate start --set ${m}\``);
    if (start) this.startRotation(start, facts);
    return Boolean(start);
  }

  startRotation(setName: string, facts: Facts): void {
    this.awaitingRemoval.delete(setName);
    const { r, warning } = newRotation(this.cfg, this.state, setName, facts, this.iso(), randomUUID().slice(0, 6));
    if (warning) this.log.warn({ set: setName }, warning);
    this.state.waiting = this.state.waiting.filter((w) => w !== setName);
    this.state.rotation = r;
    this.persist();
    this.log.info(
      { set: setName, id: r.id, members: r.members.map((m) => m.dev) },
      `rotation of set ${setName} started`,
    );
    this.inhibitor ??= this.a.systemd.inhibit(`offline-copy rotation of set ${setName}`);
  }

  beginAbort(r: RotationState, reason: string): void {
    this.log.error({ set: r.set, phase: r.phase, reason }, `rotation of set ${r.set} aborting: ${reason}`);
    r.abortReason = reason;
    transition(r, 'aborting', this.io, { set: r.set });
  }

  private finish(r: RotationState, outcome: Outcome): void {
    if (r.phase === 'aborting') transition(r, 'aborted', this.io, { set: r.set });
    else if (r.phase !== 'aborted' && r.phase !== 'done')
      transition(r, outcome === 'aborted' ? 'aborted' : 'done', this.io, { set: r.set });
    r.outcome = outcome;
    const entry = historyEntry(r, outcome, this.iso());
    this.state.history = [entry, ...this.state.history].slice(0, 50);
    if (outcome !== 'aborted' || !this.state.lastBySet[r.set]) this.state.lastBySet[r.set] = entry;
    this.state.rotation = undefined;
    this.awaitingRemoval.add(r.set);
    this.persist();
    this.log[outcome === 'success' ? 'info' : 'error'](
      { set: r.set, outcome },
      `rotation of set ${r.set} finished: ${entry.summary}`,
    );
    this.inhibitor?.release();
    this.inhibitor = undefined;
  }

  /** Re-read the mirror's progress (sysfs only, no commands) for status and STATUS=. */
  async refreshProgress(): Promise<void> {
    const r = this.state.rotation;
    if (r?.phase !== 'syncing' || !r.mirrorDevice) return;
    r.progress = mirrorProgress(await this.a.md.sysfsState(r.mirrorDevice), this.iso()) ?? r.progress;
    this.opts.onStatus?.(statusLine(r));
  }

  /** The daily overdue reminder (from the periodic scan). */
  remindIfOverdue(): void {
    if (this.notices.overdue(this.state, this.now())) this.persist();
  }
}
