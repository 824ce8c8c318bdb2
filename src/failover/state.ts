// The failover's persisted record, /var/lib/baysync/failover.json (atomic writes). Contract:
// `phase` is the one thing a restart must not forget: once a takeover has begun, a restarted
// daemon finishes it and never starts a second one, and nothing but `baysync failover
// failback` returns the phase to monitoring. The real-time sync reads it: it runs only in
// the monitoring phase. load() never throws.

import { z } from 'zod';
import { RecordStore } from '../jobs/store.js';

export type FailoverPhase = 'monitoring' | 'takeover' | 'active' | 'failback';
export type Verdict = 'unknown' | 'healthy' | 'lan-down' | 'segment-down' | 'a-down' | 'own-link-down';
export const takeoverSteps = ['stop-sync', 'fence', 'address', 'services', 'mail'] as const;
export type TakeoverStep = (typeof takeoverSteps)[number];

export interface Transition {
  at: string;
  from: string;
  to: string;
  why: string;
}

export interface FailoverState {
  version: 1;
  phase: FailoverPhase;
  verdict: Verdict;
  takeover?: {
    startedAt: string;
    why: string;
    done: TakeoverStep[];
    notes: string[];
    finishedAt?: string;
    /** When A was first seen answering again after the takeover (said once). */
    aReturnedAt?: string;
  };
  cureTriedAt?: string;
  transitions: Transition[];
}

const maxTransitions = 40;

const iso = z.string().min(1);
const schema = z.looseObject({
  version: z.literal(1),
  phase: z.enum(['monitoring', 'takeover', 'active', 'failback']),
  verdict: z.enum(['unknown', 'healthy', 'lan-down', 'segment-down', 'a-down', 'own-link-down']),
  takeover: z
    .looseObject({
      startedAt: iso,
      why: z.string(),
      done: z.array(z.enum(takeoverSteps)),
      notes: z.array(z.string()),
      finishedAt: iso.optional(),
    })
    .optional(),
  cureTriedAt: iso.optional(),
  transitions: z.array(z.looseObject({ at: iso, from: z.string(), to: z.string(), why: z.string() })),
}) as unknown as z.ZodType<FailoverState>;

export class FailoverStore extends RecordStore<FailoverState> {
  constructor(stateDir: string) {
    // An unreadable record is kept aside; a takeover in progress would also have left the
    // address on this host, which the monitor checks at start (monitor.ts).
    super(
      stateDir,
      'failover',
      { fresh: () => ({ version: 1, phase: 'monitoring', verdict: 'unknown', transitions: [] }), schema },
      0o644,
    );
  }

  override save(s: FailoverState): void {
    s.transitions = s.transitions.slice(0, maxTransitions);
    super.save(s);
  }
}

export function addTransition(s: FailoverState, to: string, why: string, at: number): void {
  const from = s.phase === 'monitoring' ? s.verdict : s.phase;
  s.transitions.unshift({ at: new Date(at).toISOString(), from, to, why });
}

/** Why the standby sync must not run, read from the persisted record (for `baysync sync run` and the timer). */
export function syncSuspension(stateDir: string): string | undefined {
  const phase = new FailoverStore(stateDir).load().phase;
  return phase !== 'monitoring' ? `failover ${phase}` : undefined;
}
