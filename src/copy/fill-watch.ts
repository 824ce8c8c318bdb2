// The snapshot-fill watch of a running copy (issue 13): reads the fill level every interval for
// as long as the copy runs (and only then: nothing is read while no copy runs), keeps the highest
// level for the report, and aborts the copy's signal with the reason as soon as fillDecision()
// says stop. Contract: the first reading is taken before start() resolves, so a copy never starts
// on a snapshot that is already invalid; a reading that throws is a reason to stop, never ignored;
// stop() ends the timer.
import { type FillReading, fillDecision, maxFill } from './fill.js';

export interface FillWatchOptions {
  read: () => Promise<{ reading: FillReading; what: string }>;
  abortPercent: number;
  intervalMs: number;
  /** Each good reading (for the status and the journal). */
  onReading?: (percent: number, what: string) => void;
}

export class FillWatch {
  private readonly ctl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private highest: number | undefined;
  private reading = false;

  constructor(private readonly o: FillWatchOptions) {}

  /** Aborted, with the reason as an Error, when the snapshot must not be read any further. */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  get maxPercent(): number | undefined {
    return this.highest;
  }

  async start(): Promise<void> {
    await this.check();
    if (!this.ctl.signal.aborted) this.timer = setInterval(() => void this.check(), this.o.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    if (this.reading || this.ctl.signal.aborted) return;
    this.reading = true;
    try {
      const { reading, what } = await this.o.read().catch((e: unknown) => ({
        reading: { missing: e instanceof Error ? e.message : String(e) },
        what: 'the snapshot',
      }));
      const d = fillDecision(reading, this.o.abortPercent, what);
      this.highest = maxFill(this.highest, d);
      if (d.go) this.o.onReading?.(d.percent, what);
      else {
        this.stop();
        this.ctl.abort(new Error(d.reason));
      }
    } finally {
      this.reading = false;
    }
  }
}
