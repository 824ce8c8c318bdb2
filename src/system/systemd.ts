// systemd adapter: sd_notify through `systemd-notify` (the unit sets NotifyAccess=all; as
// root, systemd-notify sends with the daemon's credentials), and a logind inhibitor lock held
// by a `systemd-inhibit … sleep infinity` child for as long as long work runs (invariant 9).
// Contract: notify() is a no-op outside systemd (no NOTIFY_SOCKET) and never throws.
import { existsSync } from 'node:fs';
import { logger } from '../log.js';
import type { CommandRunner, LongLived } from './runner.js';

export class SystemdAdapter {
  private lastStatus = '';
  /** STATUS= lines are coalesced: one systemd-notify at a time, at most one per interval, newest text. */
  private statusInFlight: Promise<void> | undefined;
  private pendingStatus: string | undefined;
  private lastStatusAt = 0;
  constructor(
    private readonly runner: CommandRunner,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** At most one STATUS= process per this interval (each one competes with the rotation's own commands). */
    private readonly statusIntervalMs = 1000,
    /** sd_booted(3)'s directory (tests point it elsewhere). */
    private readonly systemdRunDir = '/run/systemd/system',
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
      await this.runner.run(['systemd-notify', `--pid=${process.pid}`, ...args], {
        allowFailure: true,
        quiet: true,
        timeoutMs: 10_000,
      });
    } catch (e) {
      logger()
        .child({ mod: 'systemd' })
        .debug({ err: String(e) }, 'systemd-notify failed');
    }
  }

  /** Status line for `systemctl status`: while one systemd-notify runs, and for the rest of its
   *  interval, later texts replace each other and only the newest is sent after it (a rotation
   *  step changes it several times a second; each process costs more than the step under
   *  emulation). Resolves when the text was sent; callers do not wait for it. */
  status(text: string): Promise<void> {
    this.pendingStatus = text;
    if (this.statusInFlight) return this.statusInFlight;
    const run = async (): Promise<void> => {
      while (this.pendingStatus !== undefined) {
        const wait = this.lastStatusAt + this.statusIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref());
        const next = this.pendingStatus;
        this.pendingStatus = undefined;
        this.lastStatusAt = Date.now();
        await this.notify({ STATUS: next });
      }
    };
    this.statusInFlight = run().finally(() => (this.statusInFlight = undefined));
    return this.statusInFlight;
  }

  /** Take a shutdown/sleep inhibitor lock; release() ends it. */
  inhibit(why: string): { release: () => void; holder: LongLived } {
    const holder = this.runner.spawnLongLived([
      'systemd-inhibit',
      '--what=shutdown:sleep',
      '--who=baysync',
      `--why=${why}`,
      '--mode=block',
      'sleep',
      'infinity',
    ]);
    return { holder, release: () => holder.kill() };
  }

  /** Whether systemd runs this machine (sd_booted(3): /run/systemd/system exists). */
  booted(runDir = this.systemdRunDir): boolean {
    return existsSync(runDir);
  }

  /** `systemctl start|stop UNIT...`; outside systemd (a test namespace, a container) it is
   *  skipped and says so. Returns the error text of a failed call, or undefined. */
  async units(action: 'start' | 'stop', units: string[]): Promise<string | undefined> {
    if (!units.length) return undefined;
    if (!this.booted()) return `systemd is not running here; did not ${action} ${units.join(' ')}`;
    const r = await this.runner.run(['systemctl', action, '--', ...units], { allowFailure: true, timeoutMs: 120_000 });
    return r.exitCode === 0
      ? undefined
      : `systemctl ${action} ${units.join(' ')}: ${r.stderr.trim() || `exit ${r.exitCode}`}`;
  }
}
