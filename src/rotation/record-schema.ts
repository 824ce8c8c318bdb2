// The schema of the rotation's persisted record (state.json), checked at every load
// (jobs/store.ts): a torn, hand-edited or foreign file is never taken for a rotation. Contract:
// the fields a resumed rotation or an abort relies on are checked strictly (the phase, the set's
// identity and members, the steps done, the flags that say the pool may be frozen or BackupPC
// paused); fields the record gains later pass through untouched, so nothing is dropped.
import { z } from 'zod';
import { normalPhases, type PersistedState } from './types.js';

const iso = z.string().min(1);
const member = z.looseObject({ dev: z.string().min(1), disk: z.string().min(1), devUuid: z.string().optional() });
const outcome = z.enum(['success', 'failed', 'inconclusive', 'aborted']);
const phase = z.enum(['aborting', 'aborted', ...normalPhases]);

const rotation = z.looseObject({
  id: z.string().min(1),
  set: z.string().min(1),
  phase,
  startedAt: iso,
  timeline: z.array(z.looseObject({ phase, at: iso })),
  members: z.array(member),
  rootPartitions: z.array(member),
  stripeDevice: z.string().min(1),
  setIdentity: z.looseObject({ stripeUuid: z.string().min(1), mirrorUuid: z.string().min(1) }).optional(),
  mirrorDevice: z.string().optional(),
  rootMirrorDevice: z.string().optional(),
  backuppc: z
    .looseObject({
      controlBefore: z.string().nullable(),
      serviceWasActive: z.boolean(),
      stoppedForSync: iso.optional(),
    })
    .optional(),
  frozen: z.boolean().optional(),
  bitmapTimeBase: z.looseObject({ mirror: z.string().min(1), seconds: z.number() }).optional(),
  done: z.array(z.string().regex(/^[a-z-]+$/)),
  abortReason: z.string().optional(),
  warnings: z.array(z.string()),
  outcome: outcome.optional(),
});

const history = z.looseObject({
  id: z.string(),
  set: z.string(),
  outcome,
  startedAt: iso,
  endedAt: iso,
  summary: z.string(),
});

export const persistedStateSchema = z.looseObject({
  version: z.literal(1),
  rotation: rotation.optional(),
  lastBySet: z.record(z.string(), history),
  history: z.array(history),
  waiting: z.array(z.string()),
  lastReminderAt: iso.optional(),
}) as unknown as z.ZodType<PersistedState>;
