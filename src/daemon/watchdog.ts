// The systemd watchdog, fed from progress rather than from a bare timer. Contract: armed before
// any Service starts (a hang in the start-up scan is caught too); every interval it sends
// WATCHDOG=1 only while no Service's work under way has gone without progress for longer than
// `stallMs`. A stalled job is logged once as an error with how long it has been stuck; systemd
// then restarts the daemon after WatchdogSec, and the job resumes from its record.
import type { Logger } from 'pino';
import type { Service } from '../jobs/service.js';

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private told = false;

  constructor(
    private readonly services: readonly Service[],
    private readonly ping: () => void,
    private readonly log: Logger,
    private readonly stallMs = 15 * 60_000,
  ) {}

  /** `WATCHDOG_USEC` from systemd; nothing is armed when it is 0 or absent. */
  start(watchdogUsec: number): void {
    if (!(watchdogUsec > 0)) return;
    const every = Math.max(1000, watchdogUsec / 2000);
    this.timer = setInterval(() => this.tick(), every);
    this.tick();
  }

  /** One check: ping when nothing is stalled. Returns whether it pinged. */
  tick(): boolean {
    const stalled = this.services
      .map((s) => ({ name: s.name, ms: s.stalledMs?.() ?? 0 }))
      .find((s) => s.ms > this.stallMs);
    if (!stalled) {
      this.told = false;
      this.ping();
      return true;
    }
    if (!this.told)
      this.log.error(
        { service: stalled.name, stalledMs: stalled.ms },
        `${stalled.name}: no progress for ${Math.round(stalled.ms / 1000)} s; the watchdog is no longer fed, systemd restarts the daemon`,
      );
    this.told = true;
    return false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
