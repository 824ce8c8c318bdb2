// systemd adapter: sd_notify through `systemd-notify` (the unit sets NotifyAccess=all; as
// root, systemd-notify sends with the daemon's credentials), and a logind inhibitor lock held
// by a `systemd-inhibit … sleep infinity` child for as long as long work runs (invariant 9).
// Contract: notify() is a no-op outside systemd (no NOTIFY_SOCKET) and never throws.
import type { CommandRunner, LongLived } from './runner.js';
import { logger } from '../log.js';

export class SystemdAdapter {
  private lastStatus = '';
  constructor(
    private readonly runner: CommandRunner,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get underSystemd(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  async notify(fields: Record<string, string | number>): Promise<void> {
    if (!this.underSystemd) return;
    const args = Object.entries(fields).map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}`);
    if (fields.STATUS !== undefined && Object.keys(fields).length === 1) {
      if (fields.STATUS === this.lastStatus) return;
      this.lastStatus = String(fields.STATUS);
    }
    try {
      await this.runner.run(['systemd-notify', `--pid=${process.pid}`, ...args], { allowFailure: true, quiet: true, timeoutMs: 10_000 });
    } catch (e) {
      logger().child({ mod: 'systemd' }).debug({ err: String(e) }, 'systemd-notify failed');
    }
  }

  status(text: string): Promise<void> {
    return this.notify({ STATUS: text });
  }

  /** Take a shutdown/sleep inhibitor lock; release() ends it. */
  inhibit(why: string): { release: () => void; holder: LongLived } {
    const holder = this.runner.spawnLongLived([
      'systemd-inhibit', '--what=shutdown:sleep', '--who=baysync', `--why=${why}`, '--mode=block', 'sleep', 'infinity',
    ]);
    return { holder, release: () => holder.kill() };
  }
}
