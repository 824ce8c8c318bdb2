// One job's work in order: every reconcile and operator request of a job runs after the ones
// before it, never two at once (the kernel's "one writer" per job). Contract: run() never
// rejects (a failure is logged); runCoalesced() queues at most one waiting run; request() returns
// its own result or error, and afterwards schedules the job's reconcile so a request's effect is
// acted on at once.
import type { Logger } from 'pino';

export class Serial {
  private chain: Promise<void> = Promise.resolve();
  /** A coalescing run queued and not started yet. */
  private queued: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Runs `fn` after all queued work; resolves when it has run. */
  run(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn).catch((e: unknown) => {
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
    const res = this.chain.then(fn);
    this.chain = res.then(after, after).catch((e: unknown) => this.log.error({ err: String(e) }, 'reconcile failed'));
    return res;
  }
}
