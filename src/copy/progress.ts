// The progress of a running copy (issue 13): percent, MiB/s and ETA from the bytes read so far,
// handed on at most every `everyMs` (the run's progress file, read by the daemon's status, and
// the unit's STATUS=), and to the journal at most every `logEveryMs`. The rate is that of the
// last interval, not the run's average, so the ETA follows a slower or faster disk.
// Contract: the clock comes in; update() is cheap enough for every chunk.
import { type Progress, progressText } from '../jobs/progress.js';

export interface ProgressSnap {
  at: string;
  bytesRead: number;
  total: number;
  text: string;
}

export interface CopyProgressOptions {
  total: number;
  now: () => number;
  publish: (s: ProgressSnap) => void;
  log: (line: string) => void;
  everyMs?: number;
  logEveryMs?: number;
}

export class CopyProgress {
  private last = { at: 0, bytes: 0 };
  private kps: number | undefined;
  private loggedAt: number;
  private published = 0;

  constructor(private readonly o: CopyProgressOptions) {
    this.last.at = o.now();
    this.loggedAt = this.last.at;
  }

  update(bytesRead: number): void {
    const t = this.o.now();
    if (t - this.published < (this.o.everyMs ?? 2000)) return;
    const dt = (t - this.last.at) / 1000;
    if (dt > 0) this.kps = (bytesRead - this.last.bytes) / 1024 / dt;
    this.last = { at: t, bytes: bytesRead };
    this.published = t;
    const text = this.text(bytesRead);
    this.o.publish({ at: new Date(t).toISOString(), bytesRead, total: this.o.total, text });
    if (t - this.loggedAt >= (this.o.logEveryMs ?? 60_000)) {
      this.loggedAt = t;
      this.o.log(`copying: ${text}`);
    }
  }

  text(bytesRead: number): string {
    const p: Progress = {
      done: bytesRead,
      total: this.o.total,
      unitBytes: 1,
      ...(this.kps !== undefined ? { speedKps: this.kps } : {}),
    };
    return progressText(p);
  }
}
