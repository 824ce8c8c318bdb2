// One job's work in order: every reconcile and operator request of a job runs after the ones
// before it, never two at once (the kernel's "one writer" per job). Contract: run() never
// rejects (a failure is logged); request() returns its own result or error, and afterwards
// schedules the job's reconcile so a request's effect is acted on at once.
import type { Logger } from 'pino';

export class Serial {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {}

  /** Runs `fn` after all queued work; resolves when it has run. */
  run(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn).catch((e: unknown) => {
      this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'reconcile failed');
    });
    this.chain = next;
    return next;
  }

  /** Runs an operator request in turn, then `after` (the reconcile) whether or not it succeeded. */
  request<T>(fn: () => Promise<T>, after: () => Promise<void>): Promise<T> {
    const res = this.chain.then(fn);
    this.chain = res.then(after, after).catch((e: unknown) => this.log.error({ err: String(e) }, 'reconcile failed'));
    return res;
  }
}
