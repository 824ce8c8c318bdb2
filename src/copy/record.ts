// What the snapshot copy keeps between runs on the primary (copy.json in the state directory):
// the snapshot generations (snapshot.ts SnapshotMemory) and the last run's outcome, for status,
// the check and the mail. Contract: versioned and validated like every job record
// (util/json-store.ts); `lastVerifiedAt` moves only when a run ended verified;
// a tripped guard stays until the operator clears it.
import { z } from 'zod';
import type { RecordSpec } from '../util/json-store.js';

const lastRun = z.object({
  at: z.string(),
  ok: z.boolean(),
  summary: z.string(),
  durationMs: z.number(),
  bytesRead: z.number().optional(),
  bytesSent: z.number().optional(),
  chunksSent: z.number().optional(),
  chunksWritten: z.number().optional(),
  maxFillPercent: z.number().optional(),
});

const copyRecordSchema = z.object({
  version: z.literal(1),
  lastGen: z.number().int().min(0),
  thinBase: z.number().int().optional(),
  inProgress: z.number().int().optional(),
  last: lastRun.optional(),
  lastVerifiedAt: z.string().optional(),
  /** The snapshot-fill guard tripped: no run starts until the operator clears it (invariant 13). */
  guard: z.object({ reason: z.string(), at: z.string() }).optional(),
});

export type CopyRecord = z.infer<typeof copyRecordSchema>;
export type CopyLastRun = z.infer<typeof lastRun>;

export const copyRecordSpec: RecordSpec<CopyRecord> = {
  fresh: () => ({ version: 1, lastGen: 0 }),
  schema: copyRecordSchema,
};
