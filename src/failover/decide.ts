// The failover decision table (seed 003), pure. Contract: each probe round updates the two
// paths' counters with rise/fall hysteresis, and the verdict follows the seed:
//   both paths down              -> A is down: take over (once, and only while monitoring);
//   only the LAN down            -> A lives (the segment answers): report, try the cure once,
//                                   keep probing; never a takeover;
//   only the segment down        -> report (the sync cannot run either);
//   this host's own LAN link without carrier -> the fault is here: report, never a takeover.
// (Only the LAN link is checked: on a crossover segment the carrier drops at both ends when
// A dies, which is exactly when a takeover is due.)
// A path starts "up": a fresh start with A unreachable still needs `fall` failed rounds.
import type { FailoverPhase, Verdict } from './state.js';

export interface PathCounter {
  up: boolean;
  fails: number;
  oks: number;
}

export interface Hysteresis {
  fall: number;
  rise: number;
}

export type Action =
  | { kind: 'takeover'; why: string }
  | { kind: 'cure'; why: string }
  | { kind: 'report'; subject: string; text: string; level: 'warn' | 'info' | 'error' };

export const freshPath = (): PathCounter => ({ up: true, fails: 0, oks: 0 });
/** After a takeover A is taken as gone: a restarted daemon must not take its fresh "up" for A's return. */
export const downPath = (h: Hysteresis): PathCounter => ({ up: false, fails: h.fall, oks: 0 });

/** One probe's result; `undefined` (the probe could not run) leaves the counter as it was. */
export function updatePath(p: PathCounter, ok: boolean | undefined, h: Hysteresis): PathCounter {
  if (ok === undefined) return p;
  const fails = ok ? 0 : p.fails + 1;
  const oks = ok ? p.oks + 1 : 0;
  const up = p.up ? fails < h.fall : oks >= h.rise;
  return { up, fails, oks };
}

export interface RoundInput {
  phase: FailoverPhase;
  verdict: Verdict;
  lan: PathCounter;
  segment: PathCounter;
  /** This host's own LAN interface has carrier. */
  ownLan: boolean;
  cureConfigured: boolean;
  cureTried: boolean;
  lanPeer: string;
  segmentPeer: string;
}

export interface RoundResult {
  verdict: Verdict;
  actions: Action[];
}

export function verdictOf(i: Pick<RoundInput, 'lan' | 'segment' | 'ownLan'>): Verdict {
  if (!i.ownLan) return 'own-link-down';
  if (!i.lan.up && !i.segment.up) return 'a-down';
  if (!i.lan.up) return 'lan-down';
  if (!i.segment.up) return 'segment-down';
  return 'healthy';
}

/**
 * After a takeover: A answers again on a path that reaches A itself, the segment, or the LAN when
 * its probe address is A's own (not the service address, which is this host's now). Reported
 * loudly: a main server back on the LAN may serve the same address (split brain).
 */
export function aReturned(i: { lan: PathCounter; segment: PathCounter; lanProbesSelf: boolean }): string | undefined {
  if (i.segment.up) return 'the segment';
  if (i.lan.up && !i.lanProbesSelf) return 'the LAN';
  return undefined;
}

export function decide(i: RoundInput): RoundResult {
  const verdict = verdictOf(i);
  const actions: Action[] = [];
  // After a takeover the monitor only observes: the address is never handed back by itself.
  if (i.phase !== 'monitoring' || verdict === i.verdict) return { verdict, actions };
  switch (verdict) {
    case 'a-down':
      actions.push({
        kind: 'takeover',
        why: `no reply from the main server on the LAN (${i.lanPeer}) nor on the segment (${i.segmentPeer}) for ${i.lan.fails} and ${i.segment.fails} probes`,
      });
      break;
    case 'lan-down':
      actions.push({
        kind: 'report',
        level: 'warn',
        subject: 'main server unreachable on the LAN only',
        text: `The main server answers on the dedicated segment (${i.segmentPeer}) but not on the LAN (${i.lanPeer}). It is alive, so no takeover: the LAN or its interface may be overloaded or broken. Probing goes on.${i.cureConfigured && !i.cureTried ? ' The configured cure is tried once over the segment.' : ''}`,
      });
      if (i.cureConfigured && !i.cureTried) actions.push({ kind: 'cure', why: 'LAN probe failing, segment answering' });
      break;
    case 'segment-down':
      actions.push({
        kind: 'report',
        level: 'warn',
        subject: 'dedicated segment down',
        text: `The main server answers on the LAN (${i.lanPeer}) but not on the dedicated segment (${i.segmentPeer}). The real-time sync and fencing use the segment: check its cable and interfaces.`,
      });
      break;
    case 'own-link-down':
      actions.push({
        kind: 'report',
        level: 'error',
        subject: 'this standby has lost its LAN link',
        text: `This host's own LAN interface has no carrier. The fault is here, not on the main server: no takeover while it lasts. Check its cable and switch port.`,
      });
      break;
    case 'healthy':
      if (i.verdict !== 'unknown')
        actions.push({
          kind: 'report',
          level: 'info',
          subject: 'main server reachable again on both networks',
          text: `Both probes answer again (was: ${i.verdict}).`,
        });
      break;
    case 'unknown':
      break;
  }
  return { verdict, actions };
}
