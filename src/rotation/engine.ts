// The rotation executor. reconcile() reads the facts, asks the pure planner what comes next,
// and runs that one step; it repeats until the plan says wait or finish. Every transition is
// logged as `phase A => phase B` and persisted atomically before the next step, so after a
// crash the next reconcile() resumes from the persisted phase checked against the kernel.
// Each step checks reality before acting (so it can be repeated safely). A failing step turns
// the rotation into an abort, whose steps restore BackupPC and remove the partial copy.
// Contract: reconcile() calls are serialized; it never throws (errors are logged and turned
// into aborts); mail goes through the spool and never blocks a step.
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { RotationConfig as Config } from '../config/schema.js';
import type { Adapters } from './adapters.js';
import type { StateStore } from '../daemon/state-store.js';
import type { MailSpool } from '../mail/spool.js';
import { gatherFacts } from './facts.js';
import { checkSet, plan } from './planner.js';
import { activeArrayByUuid, mirrorClean, poolProblems, presentSets, problemHeadline, setPresence, unknownMembers } from './detect.js';
import { rotationMail, summaryLine, formatBytes } from './report.js';
import type { Facts, HistoryEntry, Outcome, PersistedState, Phase, Plan, PlannedStep, RotationState, StepId } from './types.js';
import { disableLine, disableMarker } from '../system/backuppc.js';
import { parseBitmapDirtyBytes, parseMdSuperblockV1, superblockProbeOffsets } from '../system/parsers/md-superblock.js';
import { devPath, kernelName as kernelNameOf } from '../util/names.js';
import { logger } from '../log.js';

export interface EngineOptions {
  now?: () => number;
  /** Called whenever the status line changes (daemon: STATUS=). */
  onStatus?: (text: string) => void;
  /** Called when the plan waits for md (daemon: start mdadm --wait + progress timer). */
  onWaitSync?: (mirror: string) => void;
}

export class StepError extends Error {}

export class RotationEngine {
  state: PersistedState;
  private chain: Promise<void> = Promise.resolve();
  private readonly log = logger().child({ mod: 'rotation' });
  private inhibitor: { release: () => void } | undefined;
  private seenUnknown = new Set<string>();
  /** Mirrors the pool runs without (the top mirror degraded), as last read; for status and check. */
  poolProblems: string[] = [];
  /** Sets that completed while still plugged in: not restarted until seen absent once. */
  private awaitingRemoval = new Set<string>();
  private readonly now: () => number;
  lastPlan: Plan | undefined;
  lastFacts: Facts | undefined;

  constructor(
    readonly cfg: Config,
    readonly a: Adapters,
    readonly store: StateStore,
    readonly mail: MailSpool,
    private readonly opts: EngineOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.state = store.load();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private persist(): void {
    this.store.save(this.state);
  }

  /** Serialize all work; returns when this reconcile (and those before it) has run. */
  reconcile(trigger: string): Promise<void> {
    const run = this.chain.then(() => this.reconcileOnce(trigger)).catch((e: unknown) => {
      this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'reconcile failed');
    });
    this.chain = run;
    return run;
  }

  /** Operator: start a rotation of a set now (even if auto_start is off or it just rotated). */
  requestStart(set?: string): Promise<string> {
    return this.enqueue(async () => {
      if (this.state.rotation) throw new Error(`a rotation of set ${this.state.rotation.set} is running (phase ${this.state.rotation.phase}); wait for it or run \`baysync rotate abort\``);
      const facts = await gatherFacts(this.cfg, this.a);
      const present = presentSets(this.cfg, facts).filter((p) => (set ? p.set.name === set : true));
      const target = present.find((p) => p.complete);
      if (!target) throw new Error(set ? `set ${set} is not plugged in completely` : 'no complete external set is plugged in');
      this.awaitingRemoval.delete(target.set.name);
      this.startRotation(target.set.name, facts);
      return target.set.name;
    });
  }

  /** Operator: abort the running rotation. */
  requestAbort(reason = 'aborted by the operator (baysync rotate abort)'): Promise<void> {
    return this.enqueue(async () => {
      const r = this.state.rotation;
      if (!r) throw new Error('no rotation is running');
      if (r.phase === 'aborting') return;
      if (['verifying', 'spinning-down', 'reporting'].includes(r.phase)) throw new Error(`the copy is already detached (phase ${r.phase}); let it finish`);
      this.beginAbort(r, reason);
    });
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => this.reconcileOnce('operator request'),
      () => undefined,
    ).catch((e: unknown) => this.log.error({ err: String(e) }, 'reconcile failed'));
    return run;
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
      this.lastFacts = facts;
      this.noteUnknown(facts);
      this.notePool(facts);
      if (!r) {
        this.lastPlan = undefined;
        if (!this.maybeStart(facts)) {
          this.opts.onStatus?.(this.idleStatus());
          return;
        }
        // Idle facts lack what only a rotation reads (the content of an assembled stripe).
        if (!this.cfg.sets.some((s) => activeArrayByUuid(facts, s.stripe_uuid))) unchanged = facts;
        continue;
      }
      this.noteWaiting(facts, r);
      const p = plan({ cfg: this.cfg, rotation: r, facts });
      this.lastPlan = p;
      if (p.phase !== r.phase && p.next.kind !== 'abort') this.transition(r, p.phase);
      const next = p.next;
      if (next.kind === 'abort') {
        this.beginAbort(r, next.reason);
        continue;
      }
      if (next.kind === 'finish') {
        this.finish(r, next.outcome);
        continue;
      }
      if (next.kind === 'wait') {
        if (next.step.id === 'wait-clean') {
          r.syncStartedAt ??= this.iso();
          this.recordProgress(r, facts);
          this.persist();
        }
        this.opts.onStatus?.(this.statusLine(r, facts, next.reason));
        const waitMirror = next.step.id === 'wait-clean' ? activeArrayByUuid(facts, this.cfg.sets.find((x) => x.name === r.set)!.mirror_uuid) : undefined;
        if (waitMirror?.syncAction === 'frozen') {
          // mdadm freezes the array while it adds a member; a daemon killed during the join
          // (systemd then kills the mdadm child too) leaves it frozen and the recovery never starts.
          this.log.warn({ mirror: waitMirror.name }, `${waitMirror.name} was left frozen by an interrupted mdadm; letting the recovery start`);
          await this.a.md.unfreeze(waitMirror.name);
          continue;
        }
        if (next.step.id === 'wait-clean') {
          const mirror = activeArrayByUuid(facts, this.cfg.sets.find((s) => s.name === r.set)!.mirror_uuid);
          if (mirror) this.opts.onWaitSync?.(mirror.name);
        }
        return;
      }
      this.opts.onStatus?.(this.statusLine(r, facts, next.step.title));
      // Progress is monotonic: steps the plan already passed stay done even if their effect is
      // later undone on purpose (the root partitions leave md1 during the detach, for example).
      for (const st of p.steps) {
        if (st === next.step) break;
        if ((st.status === 'done' || st.status === 'skipped') && !r.done.includes(st.id)) {
          r.done.push(st.id);
          if (st.id === 'wait-clean') r.syncEndedAt ??= this.iso();
        }
      }
      try {
        await this.runStep(r, next.step, facts);
        if (!r.done.includes(next.step.id)) r.done.push(next.step.id);
        this.persist();
        if (next.step.id === 'check-set') unchanged = facts;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (r.phase === 'aborting') {
          this.log.error({ step: next.step.id, err: msg }, 'abort step failed; continuing the abort');
          r.warnings.push(`${next.step.title}: ${msg}`);
          r.done.push(next.step.id);
          this.persist();
        } else {
          this.log.error({ step: next.step.id, err: msg }, `step failed: ${next.step.title}`);
          this.beginAbort(r, `${next.step.title} failed: ${msg}`);
        }
      }
    }
    this.log.error('reconcile did not settle after 200 steps; stopping this round');
  }

  /** The pool running without a set's mirror is said once (error log and mail) when first seen. */
  private notePool(facts: Facts): void {
    const now = poolProblems(this.cfg, facts);
    for (const p of now.filter((x) => !this.poolProblems.includes(x))) {
      this.log.error(p);
      this.mail.enqueue({
        subject: '[baysync] the pool runs without one of its mirrors',
        text: `${p}.\n\nUntil then the pool has no redundancy at the top level, and rotations of that mirror's set are refused.\n`,
      });
    }
    for (const p of this.poolProblems.filter((x) => !now.includes(x))) this.log.info(`resolved: ${problemHeadline(p)}`);
    this.poolProblems = now;
  }

  private noteUnknown(facts: Facts): void {
    for (const c of unknownMembers(this.cfg, facts)) {
      const key = `${c.dev}:${c.examine.uuid}`;
      if (this.seenUnknown.has(key)) continue;
      this.seenUnknown.add(key);
      this.log.warn({ dev: c.dev, uuid: c.examine.uuid, level: c.examine.level }, `unknown md member ${c.dev}: not part of any configured set; left untouched`);
    }
    // Sets seen absent may rotate again.
    const present = new Set(presentSets(this.cfg, facts).map((p) => p.set.name));
    for (const s of [...this.awaitingRemoval]) if (!present.has(s)) this.awaitingRemoval.delete(s);
    this.state.waiting = this.state.waiting.filter((s) => present.has(s));
  }

  /** Invariant 6: a second complete set waits, and the operator is told once. */
  private noteWaiting(facts: Facts, r: RotationState): void {
    for (const p of presentSets(this.cfg, facts)) {
      if (p.set.name === r.set || !p.complete || this.state.waiting.includes(p.set.name) || this.awaitingRemoval.has(p.set.name)) continue;
      this.state.waiting.push(p.set.name);
      this.persist();
      this.log.warn({ set: p.set.name, running: r.set }, `set ${p.set.name} plugged in while set ${r.set} rotates: it waits`);
      this.mail.enqueue({
        subject: `[baysync] set ${p.set.name} waits: set ${r.set} is rotating`,
        text: `Set ${p.set.name} was plugged in while the rotation of set ${r.set} runs (phase ${r.phase}).\nOnly one rotation runs at a time. Set ${p.set.name} will rotate when set ${r.set} is done; you may also unplug it now and plug it in later.\n`,
      });
    }
  }

  private maybeStart(facts: Facts): boolean {
    const present = presentSets(this.cfg, facts).filter((p) => p.complete && !this.awaitingRemoval.has(p.set.name));
    if (!present.length) return false;
    if (!this.cfg.policy.auto_start) {
      for (const p of present) this.log.info({ set: p.set.name }, `set ${p.set.name} is plugged in; auto_start is off: run \`baysync rotate start --set ${p.set.name}\``);
      return false;
    }
    const waiting = this.state.waiting.find((w) => present.some((p) => p.set.name === w));
    const target = waiting ?? present[0]!.set.name;
    this.startRotation(target, facts);
    return true;
  }

  private startRotation(setName: string, facts: Facts): void {
    const set = this.cfg.sets.find((s) => s.name === setName)!;
    const p = setPresence(this.cfg, set, facts);
    const last = this.state.lastBySet[setName];
    const r: RotationState = {
      id: `${this.iso().slice(0, 19).replace(/[:T]/g, '')}-${setName}-${randomUUID().slice(0, 6)}`,
      set: setName,
      phase: 'checking',
      startedAt: this.iso(),
      timeline: [{ phase: 'checking', at: this.iso() }],
      members: p.members,
      rootPartitions: p.rootPartitions,
      stripeDevice: set.stripe_device,
      expectReAdd: Boolean(last && last.outcome !== 'aborted') || undefined,
      done: [],
      warnings: [],
    };
    // Invariant 6: the same set twice in a row while another is overdue.
    const others = this.cfg.sets.filter((s) => s.name !== setName);
    const newest = this.state.history[0];
    if (newest && newest.set === setName && others.length) {
      const overdue = others.map((o) => `${o.name} (last: ${this.state.lastBySet[o.name]?.endedAt.slice(0, 10) ?? 'never'})`).join(', ');
      r.warnings.push(`set ${setName} rotated twice in a row; the other set(s) are overdue: ${overdue}`);
      this.log.warn({ set: setName }, `set ${setName} rotated twice in a row; other sets overdue: ${overdue}`);
    }
    this.state.waiting = this.state.waiting.filter((w) => w !== setName);
    this.state.rotation = r;
    this.persist();
    this.log.info({ set: setName, id: r.id, members: p.members.map((m) => m.dev) }, `rotation of set ${setName} started`);
    this.inhibitor ??= this.a.systemd.inhibit(`offline-copy rotation of set ${setName}`);
  }

  private transition(r: RotationState, to: Phase): void {
    const from = r.phase;
    r.phase = to;
    r.timeline.push({ phase: to, at: this.iso() });
    this.persist();
    this.log.info({ set: r.set, from, to }, `phase ${from} => ${to}`);
  }

  private beginAbort(r: RotationState, reason: string): void {
    this.log.error({ set: r.set, phase: r.phase, reason }, `rotation of set ${r.set} aborting: ${reason}`);
    r.abortReason = reason;
    this.transition(r, 'aborting');
  }

  private finish(r: RotationState, outcome: Outcome): void {
    if (r.phase !== 'aborting' && r.phase !== 'aborted' && r.phase !== 'done') this.transition(r, outcome === 'aborted' ? 'aborted' : 'done');
    else if (r.phase === 'aborting') this.transition(r, 'aborted');
    r.outcome = outcome;
    const entry: HistoryEntry = {
      id: r.id,
      set: r.set,
      outcome,
      startedAt: r.startedAt,
      endedAt: this.iso(),
      resyncBytes: r.resyncBytes,
      joinMode: r.joinMode,
      pauseWindowMs: r.pauseWindow?.ms,
      syncStartedAt: r.syncStartedAt,
      syncEndedAt: r.syncEndedAt,
      summary: summaryLine(r, outcome),
    };
    this.state.history = [entry, ...this.state.history].slice(0, 50);
    if (outcome !== 'aborted' || !this.state.lastBySet[r.set]) this.state.lastBySet[r.set] = entry;
    this.state.rotation = undefined;
    this.awaitingRemoval.add(r.set);
    this.persist();
    const level = outcome === 'success' ? 'info' : 'error';
    this.log[level]({ set: r.set, outcome }, `rotation of set ${r.set} finished: ${entry.summary}`);
    this.inhibitor?.release();
    this.inhibitor = undefined;
  }

  // ---- steps -------------------------------------------------------------------------

  private async runStep(r: RotationState, step: PlannedStep, facts: Facts): Promise<void> {
    const set = this.cfg.sets.find((s) => s.name === r.set)!;
    const md = this.a.md;
    const bpc = this.a.backuppc;
    const mirror = activeArrayByUuid(facts, set.mirror_uuid);
    const stripe = activeArrayByUuid(facts, set.stripe_uuid);
    const rootMirror = this.cfg.root_mirror ? activeArrayByUuid(facts, this.cfg.root_mirror.uuid) : undefined;
    this.log.info({ set: r.set, step: step.id }, step.title);
    const id: StepId = step.id;
    switch (id) {
      case 'check-set': {
        const c = checkSet({ cfg: this.cfg, rotation: r, facts });
        if (!c.ok) throw new StepError(c.reason);
        const p = setPresence(this.cfg, set, facts);
        r.members = p.members;
        r.rootPartitions = this.cfg.root_mirror ? p.rootPartitions : [];
        r.mirrorDevice = mirror?.name;
        r.rootMirrorDevice = rootMirror?.name;
        return;
      }
      case 'assemble-stripe': {
        if (stripe) return;
        // A member held by an inactive, half-assembled array (udev incremental) would make assembly fail.
        for (const a of facts.arrays.filter((x) => !x.active || x.arrayState === 'inactive')) {
          if (a.members.some((m) => r.members.some((rm) => rm.dev === m.dev))) {
            this.log.warn({ array: a.name }, `stopping inactive ${a.name} that holds members of set ${r.set}`);
            await md.stop(a.name);
          }
        }
        await md.assemble(r.stripeDevice, set.stripe_uuid, r.members.map((m) => m.dev));
        return;
      }
      case 'join-mirror': {
        if (!mirror) throw new StepError('the mirror is not active');
        if (!stripe) throw new StepError('the stripe is not assembled');
        if (mirror.members.some((m) => m.dev === stripe.name && !m.state.includes('faulty'))) return;
        const content = facts.stripeContent;
        if (content && content.uuid !== set.mirror_uuid) throw new StepError(`stripe ${stripe.name} carries another array's superblock (${content.uuid}); refusing to write it`);
        let mode: 're-add' | 'add' = 'add';
        if (content?.partlyRecovered) {
          // Found in the lab (hard reset mid-sync): md re-adds a partly recovered member with the
          // bitmap and the resumed copy then differs from the pool. Start that copy over.
          const msg = `the copy on set ${r.set} was interrupted during its recovery; it is copied again in full`;
          this.log.warn({ set: r.set }, msg);
          r.warnings.push(msg);
          await md.zeroSuperblock(stripe.name);
          await md.add(mirror.name, stripe.name);
          r.joinMode = 'add';
          r.resyncBytes = (mirror.componentSizeKiB ?? 0) * 1024 || undefined;
          r.syncStartedAt = this.iso();
          return;
        }
        if (content) {
          // What a bitmap re-add will resync: the internal half's dirty bits (a full add copies all).
          const internal = mirror.members.find((m) => m.dev !== stripe.name && m.state.includes('in_sync'));
          if (internal) {
            const x = await this.a.runner.run(['mdadm', '--examine-bitmap', devPath(internal.dev)], { allowFailure: true, quiet: true });
            const dirty = x.exitCode === 0 ? parseBitmapDirtyBytes(x.stdout) : undefined;
            if (dirty !== undefined) r.resyncBytes = dirty;
          }
          const re = await md.tryReAdd(mirror.name, stripe.name);
          if (re.ok) mode = 're-add';
          else {
            const msg = `md refused a bitmap re-add of ${stripe.name} into ${mirror.name} (${re.why}); a FULL recovery follows`;
            if (!this.cfg.policy.allow_full_recovery) throw new StepError(`${msg}; allow_full_recovery is off`);
            this.log.warn({ set: r.set }, msg);
            r.warnings.push(msg);
          }
        }
        if (mode === 'add') {
          if (r.expectReAdd) {
            const msg = `set ${r.set} rotated before, but md does a full recovery instead of a bitmap re-add (the bitmap no longer covers it)`;
            this.log.warn({ set: r.set }, msg);
            if (!r.warnings.includes(msg)) r.warnings.push(msg);
          }
          await md.add(mirror.name, stripe.name);
          r.resyncBytes = (mirror.componentSizeKiB ?? 0) * 1024 || undefined;
        }
        r.joinMode = mode;
        r.syncStartedAt = this.iso();
        this.log.info({ set: r.set, mode, resync: formatBytes(r.resyncBytes) }, `${stripe.name} joined ${mirror.name} by ${mode}`);
        return;
      }
      case 'add-root-partitions': {
        if (!rootMirror) throw new StepError('the root mirror is not active');
        for (const part of r.rootPartitions) {
          if (rootMirror.members.some((m) => m.dev === part.dev && !m.state.includes('faulty'))) continue;
          const re = await md.tryReAdd(rootMirror.name, part.dev);
          if (!re.ok) {
            this.log.info({ dev: part.dev, why: re.why }, `${part.dev} cannot be re-added to ${rootMirror.name}; adding it`);
            await md.add(rootMirror.name, part.dev);
          }
        }
        return;
      }
      case 'disable-dumps': {
        if (!r.backuppc) {
          const before = bpc.readControl();
          r.backuppc = {
            controlBefore: before !== undefined && before.includes(disableMarker) ? null : (before ?? null),
            serviceWasActive: facts.backuppc?.serviceActive ?? false,
          };
          this.persist(); // invariant 5: the marker is on disk before BackupPC is touched
        }
        bpc.writeControl(disableLine);
        if (facts.backuppc?.serviceActive) {
          // A server that does not answer will read the include when it (re)starts; new dumps
          // only slow the sync, and the detach stops BackupPC anyway: a warning, not an abort.
          await bpc.reload().catch((e: unknown) => {
            const msg = `BackupPC did not take the reload (${e instanceof Error ? e.message : String(e)}); new dumps may still start until it restarts`;
            this.log.warn(msg);
            r.warnings.push(msg);
          });
        }
        return;
      }
      case 'stop-idle-backuppc': {
        r.backuppc!.stoppedForSync = this.iso();
        this.persist();
        this.log.info('no dump running: stopping BackupPC to speed up the sync');
        await bpc.stop();
        return;
      }
      case 'stop-backuppc': {
        r.pauseWindow = { stoppedAt: this.iso() };
        this.persist();
        if (facts.backuppc?.serviceActive) await bpc.stop();
        return;
      }
      case 'flush':
        await this.a.fs.sync();
        return;
      case 'remove-root-partitions': {
        await this.a.fs.sync();
        await this.removeRootPartitions(r, rootMirror);
        return;
      }
      case 'freeze': {
        // Let md clear the bitmap within about a second of the last write instead of 5-10 s
        // (restored at the thaw), so the pool stays frozen only briefly (invariant 4).
        if (mirror && !r.bitmapTimeBase) {
          const tb = await md.bitmapTimeBase(mirror.name);
          if (tb !== undefined && tb > 1) {
            r.bitmapTimeBase = { mirror: mirror.name, seconds: tb };
            this.persist();
            await md.setBitmapTimeBase(mirror.name, 1).catch((e: unknown) => this.log.warn({ err: String(e) }, 'cannot shorten the bitmap period'));
          }
        }
        if (this.cfg.storage.freeze === 'fsfreeze') {
          r.frozen = true;
          this.persist();
          await this.a.fs.freeze(this.cfg.storage.mountpoint);
        } else {
          r.remountedRo = true;
          this.persist();
          await this.a.fs.remount(this.cfg.storage.mountpoint, 'ro');
          await this.a.fs.sync();
        }
        return;
      }
      case 'remove-stripe': {
        if (!stripe || !mirror) return;
        if (!mirror.members.some((m) => m.dev === stripe.name)) return;
        // Invariant 4: only a clean mirror under a quiesced filesystem is split.
        if (!mirrorClean(mirror, stripe.name)) throw new StepError(`${mirror.name} is not clean (sync_action ${mirror.syncAction}, degraded ${mirror.degraded}); not detaching`);
        if (!r.frozen && !r.remountedRo) throw new StepError('the filesystem is not frozen; not detaching');
        await this.waitArrayClean(mirror.name);
        const internal = mirror.members.find((m) => m.dev !== stripe.name && m.state.includes('in_sync'));
        if (internal && !(await this.waitBitmapClean(internal.dev))) {
          const msg = `the write-intent bitmap of ${mirror.name} still had dirty chunks after 15 s; the next rotation of set ${r.set} resyncs them again`;
          this.log.warn(msg);
          r.warnings.push(msg);
        }
        await md.failAndRemove(mirror.name, stripe.name);
        return;
      }
      case 'thaw': {
        await this.thaw(r);
        return;
      }
      case 'start-backuppc': {
        if (r.backuppc?.serviceWasActive !== false && !facts.backuppc?.serviceActive) await bpc.start();
        const stoppedAt = r.pauseWindow?.stoppedAt ?? this.iso();
        r.pauseWindow = { stoppedAt, startedAt: this.iso(), ms: this.now() - Date.parse(stoppedAt) };
        this.log.info({ ms: r.pauseWindow.ms }, 'BackupPC detach window');
        return;
      }
      case 'enable-dumps': {
        await this.restoreControl(r, facts);
        return;
      }
      case 'stop-stripe': {
        if (stripe) await md.stop(stripe.name);
        return;
      }
      case 'verify-copy': {
        r.verify = await this.verifyCopy(r);
        this.log[r.verify.ok ? 'info' : 'error']({ set: r.set, ...r.verify }, `verification ${r.verify.ok ? 'passed' : 'FAILED'}: ${r.verify.detail}`);
        return;
      }
      case 'spin-down': {
        const p = setPresence(this.cfg, set, facts);
        const disks = p.disks.length ? p.disks : [];
        r.spinDown = [];
        for (const d of disks) {
          try {
            r.spinDown.push(await this.a.power.spinDown(d));
          } catch (e) {
            r.warnings.push(String(e instanceof Error ? e.message : e));
            r.spinDown.push({ disk: d, deleted: false });
          }
        }
        return;
      }
      case 'send-report': {
        const outcome: Outcome = r.verify && !r.verify.ok ? 'failed' : 'success';
        this.mail.enqueue(rotationMail(r, outcome, this.iso()));
        return;
      }
      case 'abort-thaw':
        await this.thaw(r);
        return;
      case 'abort-remove-root-partitions':
        await this.removeRootPartitions(r, rootMirror);
        return;
      case 'abort-remove-stripe':
        if (stripe && mirror?.members.some((m) => m.dev === stripe.name)) await md.failAndRemove(mirror.name, stripe.name);
        return;
      case 'abort-stop-stripe':
        if (stripe) await md.stop(stripe.name);
        return;
      case 'abort-restore-backuppc': {
        if (r.backuppc?.serviceWasActive && !facts.backuppc?.serviceActive) await bpc.start();
        await this.restoreControl(r, { ...facts, backuppc: { serviceActive: r.backuppc?.serviceWasActive ?? false, runningDumps: 0 } });
        return;
      }
      case 'abort-report':
        this.mail.enqueue(rotationMail(r, 'aborted', this.iso()));
        return;
      case 'wait-clean':
        return;
    }
  }

  /** The set's root partitions still in the root mirror leave it (one mdadm call). */
  private async removeRootPartitions(r: RotationState, rootMirror: Facts['arrays'][number] | undefined): Promise<void> {
    if (!rootMirror) return;
    await this.a.md.failAndRemove(rootMirror.name, r.rootPartitions.map((p) => p.dev).filter((d) => rootMirror.members.some((m) => m.dev === d)));
  }

  private async thaw(r: RotationState): Promise<void> {
    if (r.frozen) await this.a.fs.thaw(this.cfg.storage.mountpoint);
    if (r.remountedRo) await this.a.fs.remount(this.cfg.storage.mountpoint, 'rw');
    r.frozen = false;
    r.remountedRo = false;
    if (r.bitmapTimeBase) {
      await this.a.md.setBitmapTimeBase(r.bitmapTimeBase.mirror, r.bitmapTimeBase.seconds).catch((e: unknown) => this.log.warn({ err: String(e) }, 'cannot restore the bitmap period'));
      r.bitmapTimeBase = undefined;
    }
    this.persist();
  }

  private async restoreControl(r: RotationState, facts: Facts): Promise<void> {
    const before = r.backuppc?.controlBefore;
    this.a.backuppc.writeControl(before ?? '$Conf{BackupsDisable} = 0;\n');
    // A stopped BackupPC reads the include when it starts; a running one needs the reload.
    if (facts.backuppc?.serviceActive) await this.a.backuppc.reload();
  }

  /** Wait (bounded) until md has marked the array clean: no writes in flight, bitmap flushed. */
  private async waitArrayClean(name: string): Promise<void> {
    for (let i = 0; i < 30; i++) {
      const s = await this.a.md.sysfsState(name);
      if (s.arrayState === 'clean' || s.arrayState === 'readonly' || s.arrayState === 'read-auto') return;
      await new Promise((res) => setTimeout(res, 100));
    }
    this.log.warn({ array: name }, 'array did not report clean within 3 s after the freeze; detaching anyway (writes are quiesced)');
  }

  /**
   * Invariant 4 (bitmap flushed): md clears bitmap bits a few seconds after the writes reach
   * every member; detaching before that leaves them dirty and the next re-add resyncs them.
   */
  private async waitBitmapClean(internalDev: string, timeoutMs = 15_000): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const x = await this.a.runner.run(['mdadm', '--examine-bitmap', devPath(internalDev)], { allowFailure: true, quiet: true });
      const dirty = x.exitCode === 0 ? parseBitmapDirtyBytes(x.stdout) : undefined;
      if (dirty === undefined || dirty === 0) return true;
      if (this.now() > deadline) return false;
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  // ---- verification (invariant 3: read-only only) --------------------------------------

  /** `baysync verify --set X`: verify a plugged-in, detached set outside a rotation. */
  verifyStandalone(setName: string): Promise<NonNullable<RotationState['verify']>> {
    return this.enqueue(async () => {
      if (this.state.rotation) throw new Error(`a rotation of set ${this.state.rotation.set} is running; verify after it`);
      const set = this.cfg.sets.find((s) => s.name === setName);
      if (!set) throw new Error(`set ${setName} is not configured`);
      const facts = await gatherFacts(this.cfg, this.a);
      const p = setPresence(this.cfg, set, facts);
      if (p.joined) throw new Error(`set ${setName} is a member of its mirror; it cannot be verified while attached`);
      const last = this.state.lastBySet[setName];
      const detachedAt = last?.endedAt ?? new Date(this.now()).toISOString();
      const pseudo: RotationState = {
        id: 'verify', set: setName, phase: 'verifying', startedAt: detachedAt, timeline: [{ phase: 'detaching', at: detachedAt }],
        members: p.members, rootPartitions: [], stripeDevice: set.stripe_device, done: [], warnings: [],
      };
      return this.verifyCopy(pseudo);
    });
  }

  async verifyCopy(r: RotationState): Promise<NonNullable<RotationState['verify']>> {
    const set = this.cfg.sets.find((s) => s.name === r.set)!;
    const mnt = join(this.cfg.paths.verify_dir, r.set);
    const md = this.a.md;
    const fs = this.a.fs;
    const facts = await gatherFacts(this.cfg, this.a);
    const p = setPresence(this.cfg, set, facts);
    if (!p.complete) return { ok: false, detail: 'the set is no longer plugged in completely', sampled: 0, mismatched: [], markerFound: false };
    // Clean up leftovers of an interrupted verification.
    if (await fs.isMountpoint(mnt)) await fs.umount(mnt);
    const existing = activeArrayByUuid(facts, set.stripe_uuid);
    if (existing) {
      for (const l of await fs.loopsOf(existing.name)) await fs.loopDetach(l);
      await md.stop(existing.name);
    }
    await md.assemble(r.stripeDevice, set.stripe_uuid, p.members.map((m) => m.dev), { readonly: true });
    let loop: string | undefined;
    try {
      const offset = await this.nestedDataOffset(r.stripeDevice, [set.mirror_uuid, this.cfg.storage.top_mirror_uuid]);
      loop = await fs.loopReadOnly(r.stripeDevice, offset);
      await fs.mountReadOnly(loop, mnt);
      try {
        const marker = join(mnt, this.cfg.storage.marker_dir);
        const markerFound = await stat(marker).then((s) => s.isDirectory(), () => false);
        const detachedAt = Date.parse(r.timeline.find((t) => t.phase === 'detaching')?.at ?? r.startedAt);
        const { sampled, mismatched, changed, moved } = await compareSample(this.cfg.storage.mountpoint, mnt, this.cfg.policy.verify_sample_files, detachedAt);
        if (changed + moved) this.log.info({ set: r.set, changed, moved }, `${changed + moved} sampled files were rewritten or moved in the live pool since the detach; not compared`);
        const ok = markerFound && mismatched.length === 0;
        const detail = !markerFound
          ? `marker directory ${this.cfg.storage.marker_dir} missing on the copy`
          : mismatched.length
            ? `${mismatched.length} of ${sampled} sampled files differ from the live pool`
            : `marker ${this.cfg.storage.marker_dir} present, ${sampled} sampled files identical (data offset ${offset} bytes)`;
        return { ok, detail, sampled, mismatched: mismatched.slice(0, 20), markerFound };
      } finally {
        await fs.umount(mnt);
      }
    } finally {
      if (loop) await fs.loopDetach(loop);
      await md.stop(r.stripeDevice);
    }
  }

  /** Follow md v1 superblocks (read-only reads) through the nested mirrors to the filesystem. */
  private async nestedDataOffset(dev: string, expectedUuids: string[]): Promise<number> {
    let offset = 0;
    const fh = await open(join(this.cfg.paths.dev, kernelNameOf(dev)), 'r');
    try {
      for (const uuid of expectedUuids) {
        let found = false;
        for (const probe of superblockProbeOffsets) {
          const buf = Buffer.alloc(4096);
          await fh.read(buf, 0, 4096, offset + probe);
          const sb = parseMdSuperblockV1(buf);
          if (sb && sb.uuid === uuid) {
            offset += sb.dataOffsetSectors * 512;
            found = true;
            break;
          }
        }
        if (!found) {
          // Metadata 0.90/1.0 keep the superblock at the end: the data starts at offset 0.
          this.log.debug({ dev, uuid }, 'no v1.1/1.2 superblock at this layer; assuming data at offset 0');
        }
      }
    } finally {
      await fh.close();
    }
    return offset;
  }

  private recordProgress(r: RotationState, facts: Facts): void {
    const set = this.cfg.sets.find((s) => s.name === r.set)!;
    const m = activeArrayByUuid(facts, set.mirror_uuid);
    if (m?.syncCompleted) r.progress = { done: m.syncCompleted.done, total: m.syncCompleted.total, speedKps: m.syncSpeedKps, at: this.iso() };
  }

  /** Re-read the mirror's progress (no commands: sysfs only) for status and STATUS=. */
  async refreshProgress(): Promise<void> {
    const r = this.state.rotation;
    if (!r || r.phase !== 'syncing' || !r.mirrorDevice) return;
    const s = await this.a.md.sysfsState(r.mirrorDevice);
    if (s.syncCompleted) r.progress = { done: s.syncCompleted.done, total: s.syncCompleted.total, speedKps: s.syncSpeedKps, at: this.iso() };
    this.opts.onStatus?.(this.statusLine(r, undefined, undefined));
  }

  statusLine(r: RotationState, _facts: Facts | undefined, detail: string | undefined): string {
    if (r.phase === 'syncing' && r.progress && r.progress.total > 0) {
      const pct = (100 * r.progress.done) / r.progress.total;
      const eta = etaSeconds(r.progress);
      return `set ${r.set}: syncing ${pct.toFixed(1)}%${r.progress.speedKps ? `, ${(r.progress.speedKps / 1024).toFixed(1)} MiB/s` : ''}${eta !== undefined ? `, ETA ${formatEta(eta)}` : ''}`;
    }
    return `set ${r.set}: ${r.phase}${detail ? ` (${detail})` : ''}`;
  }

  idleStatus(): string {
    const w = this.state.waiting.length ? `; waiting: ${this.state.waiting.join(', ')}` : '';
    const last = this.state.history[0];
    return `idle${last ? `; last rotation: set ${last.set} ${last.outcome} ${last.endedAt.slice(0, 16).replace('T', ' ')}` : ''}${w}`;
  }
}

export function etaSeconds(p: { done: number; total: number; speedKps?: number }): number | undefined {
  if (!p.speedKps || p.speedKps <= 0) return undefined;
  return Math.round(((p.total - p.done) * 512) / 1024 / p.speedKps);
}

export function formatEta(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Compare up to n regular files unchanged since `before` (ctime and mtime) between the live tree and the copy. */
/**
 * Compare a sample of the live pool's files, older than the detach, with the copy. The copy is
 * a block copy of the filesystem, so an unchanged file has the same inode number there. Two
 * kinds of live change after the detach are left out, not reported as mismatches (BackupPC runs
 * again once the copy is detached):
 * - a file rewritten while it is compared: its ctime after the hash differs (`changed`);
 * - a path that leads elsewhere than in the copy because a directory above it changed since the
 *   detach: BackupPC 4 renames the newest backup's directory to the next backup number when a
 *   dump starts, which moves old files to new paths without touching their ctime (`moved`).
 * A different inode with no such directory change, or different content of the same inode, is a
 * mismatch. `afterSelect` lets tests act between the choice and the comparison.
 */
export async function compareSample(
  live: string,
  copy: string,
  n: number,
  before: number,
  afterSelect?: (files: string[]) => Promise<void>,
): Promise<{ sampled: number; mismatched: string[]; changed: number; moved: number }> {
  const since = before - 2000;
  const files: Array<{ path: string; ctimeMs: number; ino: number }> = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (files.length >= n * 4 || depth > 8) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(live, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((x, y) => x.name.localeCompare(y.name));
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile()) {
        // ctime, not mtime: a rename (BackupPC's status.pl -> status.pl.old) keeps the mtime
        // but changes the ctime, and such a file no longer matches the copy.
        const st = await stat(join(live, p)).catch(() => undefined);
        if (st && st.ctimeMs < since && st.mtimeMs < since) files.push({ path: p, ctimeMs: st.ctimeMs, ino: st.ino });
      }
      if (files.length >= n * 4) return;
    }
  };
  await walk('', 0);
  // Spread the sample over the tree deterministically.
  const step = Math.max(1, Math.floor(files.length / Math.max(1, n)));
  const sample = files.filter((_, i) => i % step === 0).slice(0, n);
  await afterSelect?.(sample.map((f) => f.path));
  const dirChangedSince = async (rel: string): Promise<boolean> => {
    for (let d = rel.split('/').slice(0, -1); d.length; d = d.slice(0, -1)) {
      const st = await stat(join(live, ...d)).catch(() => undefined);
      if (!st || st.ctimeMs >= since) return true;
    }
    return false;
  };
  // Inode numbers identify a file only across a block copy (another device); a copy on the
  // same filesystem (the unit tests' trees) is compared by path and content alone.
  const [liveRoot, copyRoot] = await Promise.all([stat(live), stat(copy)]);
  const blockCopy = liveRoot.dev !== copyRoot.dev;
  const mismatched: string[] = [];
  let changed = 0;
  let moved = 0;
  for (const f of sample) {
    const inCopy = await stat(join(copy, f.path)).catch(() => undefined);
    if (!inCopy || (blockCopy && inCopy.ino !== f.ino)) {
      if (await dirChangedSince(f.path)) moved++;
      else mismatched.push(f.path);
      continue;
    }
    const [a, b] = await Promise.all([sha256(join(live, f.path)), sha256(join(copy, f.path))]);
    if (a !== undefined && a === b) continue;
    const now = await stat(join(live, f.path)).catch(() => undefined);
    if (!now || now.ctimeMs !== f.ctimeMs || now.ino !== f.ino) changed++;
    else mismatched.push(f.path);
  }
  return { sampled: sample.length - changed - moved, mismatched, changed, moved };
}

function sha256(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', () => resolve(undefined))
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')));
  });
}
