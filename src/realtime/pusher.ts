// Push mode on the main server (A): the tree watcher (one inotify watch per directory)
// reports changes, they are gathered and debounced, and only the changed paths are sent
// (rsync --files-from; a new directory with its subtree). Contract:
// - a full reconcile runs at start (it catches what changed while the service was down) and
//   every reconcile_minutes (what the watcher may have missed);
// - runs are serial (the executor's lock also keeps the timer's runs out);
// - a failed run keeps its paths and is retried with backoff (2 s doubling to 60 s);
// - watch-limit exhaustion (ENOSPC/EMFILE from inotify) is logged, mailed once and shown in
//   status, and the pusher falls back to a full sync every interval_seconds: it never
//   silently stops syncing.

import type { Config } from '../config/schema.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import { partialDir, type SyncRequest } from './plan.js';
import type { RunOutcome, SyncExecutor } from './run.js';
import { TreeWatcher } from './tree-watcher.js';

export interface PusherStatus {
  watcher: 'starting' | 'watching' | 'failed' | 'stopped';
  watcherError?: string;
  watchStartMs?: number;
  watchedDirectories?: number;
  pending: number;
  oldestPendingAt?: string;
  fallbackTimerSeconds?: number;
  lastOutcome?: string;
}

/** A pending path: changed (a new directory: with its subtree) or removed. */
type Change = 'changed' | 'tree' | 'removed';

export class Pusher {
  private watcher: TreeWatcher | undefined;
  private pending = new Map<string, Change>();
  private oldestPending: number | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryDelay = 2000;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;
  private fullWanted = false;
  private stopped = false;
  private st: PusherStatus = { watcher: 'starting', pending: 0 };
  private readonly log = logger().child({ mod: 'push' });

  constructor(
    private readonly cfg: Config,
    private readonly exec: SyncExecutor,
    private readonly mail: MailSpool,
    private readonly now: () => number = Date.now,
    private readonly onStatus: (text: string) => void = () => undefined,
    /** Beyond this many changed paths waiting, one full sync replaces them (memory stays bounded). */
    private readonly maxPending = 100_000,
  ) {}

  private publish(): void {
    const s = this.status();
    this.onStatus(
      `push: ${s.watcher === 'failed' ? 'WATCHER FAILED, timer fallback' : s.watcher}${s.lastOutcome ? `, last ${s.lastOutcome}` : ''}`,
    );
  }

  private get rt(): NonNullable<Config['realtime']> {
    return this.cfg.realtime!;
  }

  async start(): Promise<void> {
    const started = this.now();
    const root = this.rt.source.replace(/\/+$/, '') || '/';
    const w = new TreeWatcher(
      root,
      {
        changed: (rel, recursive) => this.note(rel, recursive ? 'tree' : 'changed'),
        removed: (rel) => this.note(rel, 'removed'),
        onError: (e) => this.onWatchError(e),
      },
      (name) => name === partialDir,
    );
    this.watcher = w;
    await w.start();
    if (this.st.watcher === 'starting') {
      this.st.watcher = 'watching';
      this.st.watchStartMs = this.now() - started;
      this.st.watchedDirectories = w.watchedDirectories;
      this.log.info(
        { ms: this.st.watchStartMs, root, directories: w.watchedDirectories },
        `watching ${root} (ready in ${this.st.watchStartMs} ms)`,
      );
    }
    this.publish();
    this.requestFull('start-up reconcile');
    this.timers.push(setInterval(() => this.requestFull('periodic reconcile'), this.rt.reconcile_minutes * 60_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.debounce) clearTimeout(this.debounce);
    if (this.retry) clearTimeout(this.retry);
    this.watcher?.close();
    this.st.watcher = 'stopped';
    await this.running;
  }

  status(): PusherStatus {
    return {
      ...this.st,
      pending: this.pending.size,
      oldestPendingAt: this.oldestPending ? new Date(this.oldestPending).toISOString() : undefined,
    };
  }

  private note(rel: string, kind: Change): void {
    if (rel.startsWith('..')) return;
    if (this.fullWanted) return; // a full sync is due: it sends this change too
    if (this.pending.size >= this.maxPending) {
      this.log.warn(
        { pending: this.pending.size },
        `more than ${this.maxPending} changed paths waiting: one full sync instead`,
      );
      this.pending.clear();
      this.oldestPending ??= this.now();
      this.requestFull('too many changes');
      return;
    }
    this.pending.set(rel || '.', kind === 'changed' && this.pending.get(rel) === 'tree' ? 'tree' : kind);
    this.oldestPending ??= this.now();
    if (this.debounce) clearTimeout(this.debounce);
    // Quiet for debounce_ms, or at most 4x that since the oldest pending change.
    const wait = Math.max(0, Math.min(this.rt.debounce_ms, this.oldestPending + 4 * this.rt.debounce_ms - this.now()));
    this.debounce = setTimeout(() => this.kick(), wait);
  }

  private onWatchError(e: NodeJS.ErrnoException): void {
    const code = e.code;
    const msg = e.message;
    if (this.st.watcher === 'failed') return;
    this.st.watcher = 'failed';
    this.st.watcherError = `inotify limit reached (${code}): raise fs.inotify.max_user_watches (sysctl) and restart baysync`;
    this.st.fallbackTimerSeconds = this.rt.interval_seconds;
    this.log.error(
      { code },
      `${this.st.watcherError}; falling back to a full sync every ${this.rt.interval_seconds} s`,
    );
    this.publish();
    this.mail.enqueue({
      subject: '[baysync] real-time sync: file watcher failed, timer fallback active',
      text: `The watcher on ${this.rt.source} hit the kernel's inotify limit (${code}: ${msg}).\n\nSyncing goes on: a full rsync runs every ${this.rt.interval_seconds} s instead of on each change, so the recovery point is up to that old.\n\nFix: sysctl -w fs.inotify.max_user_watches=1048576 (and in /etc/sysctl.d/), then systemctl restart baysync.\n`,
    });
    this.watcher?.close();
    this.timers.push(setInterval(() => this.requestFull('fallback timer'), this.rt.interval_seconds * 1000));
    this.requestFull('watcher failed');
  }

  private requestFull(trigger: string): void {
    this.fullWanted = true;
    this.kick(trigger);
  }

  /** Run what is pending, one run at a time. */
  private kick(trigger = 'change'): void {
    if (this.stopped || this.running) return;
    if (!this.fullWanted && this.pending.size === 0) return;
    this.running = this.runOnce(trigger).finally(() => {
      this.running = undefined;
      if (this.pending.size || this.fullWanted) {
        if (!this.retry) this.kick();
      }
    });
  }

  private async runOnce(trigger: string): Promise<void> {
    let req: SyncRequest;
    let batch: Map<string, Change> | undefined;
    const batchSince = this.oldestPending;
    if (this.fullWanted) {
      this.fullWanted = false;
      // A full run covers the pending paths too.
      batch = this.pending;
      req = { kind: 'full' };
    } else {
      batch = this.pending;
      const changed: string[] = [];
      const trees: string[] = [];
      const removed: string[] = [];
      for (const [p, k] of batch) (k === 'removed' ? removed : k === 'tree' ? trees : changed).push(p);
      req = { kind: 'paths', changed, trees, removed };
    }
    this.pending = new Map();
    this.oldestPending = undefined;
    let out: RunOutcome;
    try {
      out = await this.exec.run(req, req.kind === 'full' ? trigger : `${batch.size} changes`);
    } catch (e) {
      out = { status: 'skipped', reason: e instanceof Error ? e.message : String(e) };
    }
    const ok = out.status === 'done' && out.run.ok;
    this.st.lastOutcome =
      out.status === 'done'
        ? out.run.ok
          ? `ok ${out.run.kind} in ${out.run.durationMs} ms`
          : `failed: ${out.run.error}`
        : `${out.status}: ${out.reason}`;
    this.publish();
    if (ok) {
      this.retryDelay = 2000;
      return;
    }
    // Keep the batch for the next try (newer events for the same path win).
    for (const [p, k] of batch) if (!this.pending.has(p)) this.pending.set(p, k);
    if (req.kind === 'full') this.fullWanted = true;
    this.oldestPending = Math.min(batchSince ?? this.now(), this.oldestPending ?? Infinity);
    if (out.status === 'refused') this.log.error(out.reason);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(60_000, this.retryDelay * 2);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.kick('retry');
    }, delay);
  }
}
