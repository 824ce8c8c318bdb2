// The failover decision table (seed 003) and its rise/fall hysteresis, exhaustively.
import { describe, expect, it } from 'vitest';
import {
  decide,
  freshPath,
  type PathCounter,
  type RoundInput,
  updatePath,
  verdictOf,
} from '../../src/failover/decide.js';

const h = { fall: 4, rise: 2 };
const down: PathCounter = { up: false, fails: 4, oks: 0 };
const up: PathCounter = { up: true, fails: 0, oks: 5 };
const input = (over: Partial<RoundInput>): RoundInput => ({
  phase: 'monitoring',
  verdict: 'healthy',
  lan: up,
  segment: up,
  ownLan: true,
  cureConfigured: false,
  cureTried: false,
  lanPeer: '192.168.1.1',
  segmentPeer: '10.168.1.1',
  ...over,
});

describe('hysteresis', () => {
  it('a path goes down only after `fall` failures in a row, and up after `rise` successes', () => {
    let p = freshPath();
    for (let i = 1; i < h.fall; i++) {
      p = updatePath(p, false, h);
      expect(p.up).toBe(true);
    }
    p = updatePath(p, false, h);
    expect(p.up).toBe(false);
    p = updatePath(p, true, h);
    expect(p.up).toBe(false);
    p = updatePath(p, true, h);
    expect(p.up).toBe(true);
  });

  it('a link flapping every round never goes down', () => {
    let p = freshPath();
    for (let i = 0; i < 200; i++) p = updatePath(p, i % 2 === 0, h);
    expect(p.up).toBe(true);
    // Nor failing 3 rounds of 4.
    p = freshPath();
    for (let i = 0; i < 200; i++) p = updatePath(p, i % 4 === 3, h);
    expect(p.up).toBe(true);
  });
});

describe('decision table', () => {
  const table: Array<[string, PathCounter, PathCounter, boolean, string, string[]]> = [
    ['both answer', up, up, true, 'healthy', []],
    ['both fail: A is down', down, down, true, 'a-down', ['takeover']],
    ['only the LAN fails: wait and probe again, report', down, up, true, 'lan-down', ['report']],
    ['only the segment fails: report', up, down, true, 'segment-down', ['report']],
    ["this host's own LAN link is down: never a takeover", down, down, false, 'own-link-down', ['report']],
  ];
  for (const [name, lan, segment, ownLan, verdict, kinds] of table) {
    it(name, () => {
      const r = decide(input({ lan, segment, ownLan }));
      expect(r.verdict).toBe(verdict);
      expect(r.actions.map((a) => a.kind)).toEqual(kinds);
    });
  }

  it('the cure is tried once when only the LAN fails and a cure key is configured', () => {
    expect(decide(input({ lan: down, cureConfigured: true })).actions.map((a) => a.kind)).toEqual(['report', 'cure']);
    expect(decide(input({ lan: down, cureConfigured: true, cureTried: true })).actions.map((a) => a.kind)).toEqual([
      'report',
    ]);
  });

  it('acts on a change of verdict only (no repeated reports or takeovers)', () => {
    expect(decide(input({ verdict: 'lan-down', lan: down })).actions).toEqual([]);
    expect(decide(input({ verdict: 'a-down', lan: down, segment: down })).actions).toEqual([]);
  });

  it('never takes over, nor hands back, outside the monitoring phase', () => {
    for (const phase of ['takeover', 'active', 'failback'] as const) {
      expect(decide(input({ phase, lan: down, segment: down, verdict: 'healthy' })).actions).toEqual([]);
      expect(decide(input({ phase, verdict: 'a-down' })).actions).toEqual([]);
    }
  });

  it('recovery after a degraded verdict is reported; the first healthy verdict is not', () => {
    expect(decide(input({ verdict: 'segment-down' })).actions.map((a) => a.kind)).toEqual(['report']);
    expect(decide(input({ verdict: 'unknown' })).actions).toEqual([]);
  });

  it('verdictOf covers every combination', () => {
    for (const lan of [up, down])
      for (const segment of [up, down])
        for (const ownLan of [true, false]) expect(typeof verdictOf({ lan, segment, ownLan })).toBe('string');
  });
});
