// The sync's persisted record, /var/lib/baysync/realtime.json, written atomically by whoever
// holds the sync lock (the `baysync sync run` process of the timer, or the daemon's pusher).
// Contract: load() never throws (missing or unreadable gives a fresh record, the unreadable
// file kept aside); the run list is capped; the recovery point is the start of the last run
// that succeeded (the copy holds at least what the source had then).

import { z } from 'zod';
import { RecordStore } from '../jobs/store.js';

export interface SyncRun {
  kind: 'full' | 'paths';
  trigger: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  ok: boolean;
  exitCode?: number;
  error?: string;
  files?: number;
  transferred?: number;
  deleted?: number;
  bytesSent?: number;
  bytesReceived?: number;
}

export interface RealtimeState {
  version: 1;
  lastSuccessStartedAt?: string;
  lastSuccessAt?: string;
  /** Files in the copy after the last good full run (the base of the deletion share). */
  lastFileCount?: number;
  consecutiveFailures: number;
  bytesMovedTotal: number;
  runs: SyncRun[];
  /** Set when the deletion guard tripped: every run is refused until `sync run --allow-deletions`
   *  succeeds (a per-run cap let ten runs empty the copy 10 % at a time). */
  guard?: DeletionGuard;
}

export interface DeletionGuard {
  trippedAt: string;
  reason: string;
}

const maxRuns = 30;

const count = z.number().nonnegative();
const schema = z.looseObject({
  version: z.literal(1),
  lastSuccessStartedAt: z.string().optional(),
  lastSuccessAt: z.string().optional(),
  lastFileCount: count.optional(),
  consecutiveFailures: count,
  bytesMovedTotal: count,
  guard: z.looseObject({ trippedAt: z.string().min(1), reason: z.string() }).optional(),
  runs: z.array(
    z.looseObject({
      kind: z.enum(['full', 'paths']),
      startedAt: z.string(),
      endedAt: z.string(),
      ok: z.boolean(),
    }),
  ),
}) as unknown as z.ZodType<RealtimeState>;

export class RealtimeStore extends RecordStore<RealtimeState> {
  constructor(stateDir: string) {
    super(
      stateDir,
      'realtime',
      { fresh: () => ({ version: 1, consecutiveFailures: 0, bytesMovedTotal: 0, runs: [] }), schema },
      0o644,
    );
  }

  record(run: SyncRun, fileCount?: number): RealtimeState {
    const s = this.load();
    s.runs = [run, ...s.runs].slice(0, maxRuns);
    s.bytesMovedTotal += (run.bytesSent ?? 0) + (run.bytesReceived ?? 0);
    if (run.ok) {
      s.consecutiveFailures = 0;
      s.lastSuccessAt = run.endedAt;
      if (!s.lastSuccessStartedAt || run.startedAt > s.lastSuccessStartedAt) s.lastSuccessStartedAt = run.startedAt;
      if (fileCount !== undefined) s.lastFileCount = fileCount;
    } else s.consecutiveFailures += 1;
    this.save(s);
    return s;
  }

  /** Trip the deletion guard; returns false when it was already tripped (the operator was told). */
  trip(guard: DeletionGuard): boolean {
    const s = this.load();
    if (s.guard) return false;
    s.guard = guard;
    this.save(s);
    return true;
  }

  clearGuard(): void {
    const s = this.load();
    if (!s.guard) return;
    delete s.guard;
    this.save(s);
  }
}
