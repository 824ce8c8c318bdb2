// Unit tests of the pure planner and detection: facts in, steps and decisions out.
import { describe, expect, it } from 'vitest';
import {
  internalHalfProblem,
  mirrorClean,
  partitionName,
  setPresence,
  unknownMembers,
} from '../../src/rotation/detect.js';
import { arr, baseFacts, cand, cfg, H } from './fixtures.js';

describe('detection by UUID', () => {
  it('finds a complete set, its disks and its root partitions', () => {
    const p = setPresence(cfg, cfg.sets[0]!, baseFacts());
    expect(p.complete).toBe(true);
    expect(p.disks).toEqual(['sde', 'sdf']);
    expect(p.rootPartitions.map((r) => r.dev)).toEqual(['sde1', 'sdf1']);
    expect(setPresence(cfg, cfg.sets[1]!, baseFacts()).members).toEqual([]);
  });
  it('an incomplete set is not complete', () => {
    const f = baseFacts({ candidates: [cand('sde2', 'sde', H(8))] });
    expect(setPresence(cfg, cfg.sets[0]!, f).complete).toBe(false);
  });
  it('unknown md members are reported, never part of a set', () => {
    const f = baseFacts({
      candidates: [...baseFacts().candidates, cand('sdx1', 'sdx', 'ffffffffffffffffffffffffffffffff')],
    });
    expect(unknownMembers(cfg, f).map((c) => c.dev)).toEqual(['sdx1']);
    expect(setPresence(cfg, cfg.sets[0]!, f).disks).not.toContain('sdx');
  });
  it('partition names follow kernel naming', () => {
    expect(partitionName('sde', 1)).toBe('sde1');
    expect(partitionName('nvme0n1', 1)).toBe('nvme0n1p1');
  });
});

describe('md state helpers', () => {
  it('clean needs idle, not degraded and the stripe in sync', () => {
    expect(
      mirrorClean(
        arr('md5', H(5), [
          ['md3', ['in_sync']],
          ['md8', ['in_sync']],
        ]),
        'md8',
      ),
    ).toBe(true);
    expect(
      mirrorClean(
        arr(
          'md5',
          H(5),
          [
            ['md3', ['in_sync']],
            ['md8', []],
          ],
          { syncAction: 'recover' },
        ),
        'md8',
      ),
    ).toBe(false);
    expect(
      mirrorClean(
        arr(
          'md5',
          H(5),
          [
            ['md3', ['in_sync']],
            ['md8', ['in_sync']],
          ],
          { degraded: 1 },
        ),
        'md8',
      ),
    ).toBe(false);
  });
  it('the internal half must be active, writable and in sync', () => {
    expect(internalHalfProblem(undefined, 'md8')).toMatch(/not active/);
    expect(internalHalfProblem(arr('md5', H(5), [['md3', ['in_sync']]], { readonly: true }), 'md8')).toMatch(
      /read-write/,
    );
    expect(internalHalfProblem(arr('md5', H(5), [['md3', []]]), 'md8')).toMatch(/no in-sync internal member/);
    expect(internalHalfProblem(arr('md5', H(5), [['md3', ['in_sync']]]), 'md8')).toBeUndefined();
  });
});
