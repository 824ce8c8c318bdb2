// A rotation resumed after a reboot that renamed its disks acts on the new names, found by each
// member's device UUID (the Debian 13 lab's hard reset named set A's disks sdd and sde, and the
// internal disk sdf): never on a stale name that now belongs to another disk.
import { describe, expect, it } from 'vitest';
import { followRenames } from '../../src/rotation/renames.js';
import { baseFacts, cand, H, rot } from './fixtures.js';

const withUuid = (c: ReturnType<typeof cand>, devUuid: string) => ({ ...c, examine: { ...c.examine, devUuid } });

describe('followRenames', () => {
  it('a resumed rotation follows its members renamed across a reboot, by device UUID', () => {
    const r = rot({
      members: [
        { dev: 'sde2', disk: 'sde', devUuid: 'a2' },
        { dev: 'sdf2', disk: 'sdf', devUuid: 'b2' },
      ],
      rootPartitions: [
        { dev: 'sde1', disk: 'sde', devUuid: 'a1' },
        { dev: 'sdf1', disk: 'sdf' }, // recorded blank, added to md1 since
      ],
    });
    // After the reboot: set A is sdd and sde; sdf is an internal disk now.
    const facts = baseFacts({
      candidates: [
        withUuid(cand('sdd2', 'sdd', H(8)), 'a2'),
        withUuid(cand('sde2', 'sde', H(8)), 'b2'),
        withUuid(cand('sdd1', 'sdd', H(1), 6), 'a1'),
        withUuid(cand('sde1', 'sde', H(1), 6), 'new'),
        withUuid(cand('sdf2', 'sdf', H(4)), 'internal2'),
        withUuid(cand('sdf1', 'sdf', H(1), 6), 'internal1'),
      ],
    });
    const said = followRenames(r, facts);
    expect(r.members.map((m) => m.dev)).toEqual(['sdd2', 'sde2']);
    expect(r.rootPartitions.map((m) => m.dev)).toEqual(['sdd1', 'sde1']);
    expect(said).toEqual(['sde2 is now sdd2', 'sdf2 is now sde2', 'sde1 is now sdd1', 'sdf1 is now sde1']);
    expect(followRenames(r, facts)).toEqual([]); // nothing more to follow
  });

  it('names stay when the disks kept them, or when a member is not present', () => {
    const r = rot({ members: [{ dev: 'sde2', disk: 'sde', devUuid: 'a2' }] });
    expect(followRenames(r, baseFacts({ candidates: [withUuid(cand('sde2', 'sde', H(8)), 'a2')] }))).toEqual([]);
    expect(followRenames(r, baseFacts({ candidates: [] }))).toEqual([]);
    expect(r.members[0]!.dev).toBe('sde2');
  });
});
