// Restart into a new version without cutting a job short (a package upgrade's postinst runs
// `baysync restart --when-idle`): at once when no Service is busy, otherwise when the busy one
// ends. Contract: `request` answers whether the restart is now or deferred (and behind what);
// `check` is called on every status change; `restart` runs at most once.
import type { Logger } from 'pino';

/** The daemon's exit status that asks systemd for a restart (RestartForceExitStatus= in the unit). */
export const RESTART_EXIT_STATUS = 75;

export interface RestartAnswer {
  now: boolean;
  /** The job that defers it, as its status line. */
  busy?: string;
}

export class RestartWhenIdle {
  private pending = false;
  private done = false;

  constructor(
    private readonly busy: () => string | undefined,
    private readonly restart: () => void,
    private readonly log: Logger,
  ) {}

  request(): RestartAnswer {
    this.pending = true;
    const busy = this.busy();
    if (busy) {
      this.log.warn({ busy }, 'restart requested: deferred until the running job ends');
      return { now: false, busy };
    }
    setImmediate(() => this.check());
    return { now: true };
  }

  check(): void {
    if (!this.pending || this.done || this.busy()) return;
    this.done = true;
    this.log.warn('restarting into the installed version (no job running)');
    this.restart();
  }
}
