// The rotation's one-line status (systemd STATUS=, `systemctl status`, the progress log):
// the phase and what it does, with percent, rate and ETA while the mirror syncs, or the idle
// summary. Contract: pure.
import { progressText } from '../jobs/progress.js';
import type { MdArrayState } from '../system/md.js';
import type { PersistedState, RotationState } from './types.js';

export function statusLine(r: RotationState, detail?: string): string {
  if (r.phase === 'syncing' && r.progress && r.progress.total > 0)
    return `set ${r.set}: syncing ${progressText(r.progress)}`;
  return `set ${r.set}: ${r.phase}${detail ? ` (${detail})` : ''}`;
}

export function idleStatus(state: PersistedState): string {
  const w = state.waiting.length ? `; waiting: ${state.waiting.join(', ')}` : '';
  const last = state.history[0];
  return `idle${last ? `; last rotation: set ${last.set} ${last.outcome} ${last.endedAt.slice(0, 16).replace('T', ' ')}` : ''}${w}`;
}

/** The mirror's recovery progress as the record keeps it, or undefined when md reports none. */
export function mirrorProgress(
  m: Pick<MdArrayState, 'syncCompleted' | 'syncSpeedKps'>,
  at: string,
): RotationState['progress'] {
  return m.syncCompleted
    ? { done: m.syncCompleted.done, total: m.syncCompleted.total, speedKps: m.syncSpeedKps, at }
    : undefined;
}
