// One job's work in order: every reconcile and operator request of a job runs after the ones
// before it, never two at once (the kernel's "one writer" per job). Contract: run() never
// rejects (a failure is logged); runCoalesced() queues at most one waiting run; request() returns
// its own result or error, and afterwards schedules the job's reconcile so a request's effect is
// acted on at once. While a run is under way it records when it last made progress (beat()), so
// the daemon's watchdog can tell work that moves from work that hangs (stalledMs()).
import type { Logger } from 'pino';

export class Serial {
  private chain: Promise<void> = Promise.resolve();
  /** A coalescing run queued and not started yet. */
  private queued: Promise<void> | undefined;
  /** When the run under way last made progress (undefined while idle). */
  private beatAt: number | undefined;
  private depth = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private closed = false;

  /** The run under way made progress (a step began or ended, facts were read). Returns false
   *  once the job is closing: the run should stop before its next step. */
  beat(): boolean {
    if (this.depth) this.beatAt = this.now();
    return !this.closed;
  }

  /** Stop taking work: later runs do nothing; resolves when the run under way has ended (it
   *  stops at its next beat) or after `ms`, whichever comes first. */
  close(ms: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    });
    return Promise.race([this.chain, limit]).finally(() => clearTimeout(timer));
  }

  /** How long the run under way has gone without progress; 0 while idle. */
  stalledMs(): number {
    return this.beatAt === undefined ? 0 : this.now() - this.beatAt;
  }

  private tracked<T>(fn: () => Promise<T>): () => Promise<T> {
    return async () => {
      if (this.closed) return undefined as T; // stopping: nothing new starts
      this.depth++;
      this.beatAt = this.now();
      try {
        return await fn();
      } finally {
        if (--this.depth === 0) this.beatAt = undefined;
      }
    };
  }

  /** Runs `fn` after all queued work; resolves when it has run. */
  run(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(this.tracked(fn)).catch((e: unknown) => {
      this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'reconcile failed');
    });
    this.chain = next;
    return next;
  }

  /**
   * Like run(), but while one such run is queued and has not started, later calls join it: a
   * burst of events (3,000 md events) costs one more reconcile, not 3,000, and an operator
   * request waits behind at most one.
   */
  runCoalesced(fn: () => Promise<void>): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.run(() => {
      this.queued = undefined;
      return fn();
    });
    this.queued = next;
    return next;
  }

  /** Runs an operator request in turn, then `after` (the reconcile) whether or not it succeeded. */
  request<T>(fn: () => Promise<T>, after: () => Promise<void>): Promise<T> {
    const res = this.chain.then(this.tracked(fn));
    this.chain = res
      .then(this.tracked(after), this.tracked(after))
      .catch((e: unknown) => this.log.error({ err: String(e) }, 'reconcile failed'));
    return res;
  }
}
