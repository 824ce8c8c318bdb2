// The facts the rotation reads, on the FakeSystem: what is plugged in, found by superblocks.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { RotationConfig } from '../../src/config/schema.js';
import { makeAdapters } from '../../src/rotation/adapters.js';
import { gatherFacts } from '../../src/rotation/facts.js';
import { mdOps } from '../../src/system/md-ops.js';
import { type LabLike, plugSet, seedTopology } from '../helpers/fake-system.js';
import { rot } from './fixtures.js';

let lab: LabLike | undefined;
afterEach(() => lab?.sys.cleanup());

describe('gatherFacts', () => {
  it('lists the arrays with UUIDs, the md members plugged in, and reads nothing of BackupPC before the pause', async () => {
    lab = seedTopology();
    plugSet(lab, 'A');
    const cfg = loadConfig(lab.configPath) as RotationConfig;
    const before = lab.sys.calls.length;
    const f = await gatherFacts(cfg, makeAdapters(cfg, lab.sys, {}));
    expect(f.arrays.find((a) => a.name === 'md5')?.uuid).toBe(lab.uuids.md5);
    expect(
      f.candidates
        .filter((c) => c.examine.uuid === lab!.uuids.md8)
        .map((c) => c.dev)
        .sort(),
    ).toEqual(['sde2', 'sdf2']);
    expect(f.backuppc).toBeUndefined();
    expect(f.mountpointMounted).toBe(true);
    expect(lab.sys.calls.slice(before).filter((c) => c[0] === 'systemctl')).toEqual([]);
  });

  it('while verifying, it reads where the copy starts and whether a verification mount was left', async () => {
    lab = seedTopology();
    plugSet(lab, 'A');
    const cfg = loadConfig(lab.configPath) as RotationConfig;
    const a = makeAdapters(cfg, lab.sys, {});
    expect((await gatherFacts(cfg, a, rot({ phase: 'verifying' }))).copy).toEqual({
      mounted: false,
      dataOffset: undefined,
      fs: undefined,
      loops: [],
    });
    // A set that rotated before: its stripe carries md5's superblock, and md5's data the pool's (md7).
    lab.sys.stripeContent.set(lab.uuids.md8, lab.sys.sb(lab.uuids.md5, 'raid1', 2, 'lab:5'));
    await a.ops.exec(mdOps.assemble('md8', lab.uuids.md8, ['sde2', 'sdf2'], { readonly: true }));
    // The set mirror's data offset inside the stripe, plus the top mirror's inside that: 2 x 2048 sectors.
    expect((await gatherFacts(cfg, a, rot({ phase: 'verifying' }))).copy).toEqual({
      mounted: false,
      dataOffset: 2 * 2048 * 512,
      fs: { type: 'xfs', blockSize: 4096, dataBlocks: 112384, agBlocks: 28160, agCount: 4 },
      loops: [],
    });
  });
});
