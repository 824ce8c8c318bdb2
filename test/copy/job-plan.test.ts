// The copy job's plan: the preconditions refused with what to do, and the exact operations of a
// classic and a thin run, on volumes parsed from the lvs reports captured in the lab.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copySchema } from '../../src/config/copy.js';
import { type CopyFacts, planCopy } from '../../src/copy/job-plan.js';
import { ownedSnapshots } from '../../src/copy/snapshot.js';
import { renderOp } from '../../src/system/op.js';
import { type Lv, parseLvs } from '../../src/system/parsers/lvs.js';

const lvs = (name: string): Lv[] =>
  parseLvs(readFileSync(new URL(`../fixtures/lab/lvm/${name}.txt`, import.meta.url), 'utf8')).lvs;
const cfg = copySchema.parse({ volume: 'vgpool/pool', receiver: { host: 'b.example' } });
const mounts = [
  { dev: '252:0', mountpoint: '/var/lib/backuppc', fstype: 'xfs', source: '/dev/mapper/vgpool-pool', options: 'rw' },
];
const pool = lvs('lvs-classic-origin')[0]!;
const facts = (f: Partial<CopyFacts> = {}): CopyFacts => ({
  origin: pool,
  lvErrors: [],
  originDev: '252:0',
  mounts,
  owned: [],
  strangers: [],
  ...f,
});

describe('the copy job refuses, saying what to do', () => {
  it('when the volume does not exist, with LVM’s reason', () => {
    expect(
      planCopy(cfg, { lastGen: 0 }, facts({ origin: undefined, lvErrors: ['Volume group "vgpool" not found'] })),
    ).toEqual({
      refused:
        'the volume vgpool/pool was not found (Volume group "vgpool" not found); check copy.volume against `lvs`',
    });
  });

  it('when the volume does not hold the mounted pool', () => {
    const other = [{ ...mounts[0]!, dev: '8:3', source: '/dev/sda3' }];
    expect(planCopy(cfg, { lastGen: 0 }, facts({ mounts: other }))).toMatchObject({
      refused: expect.stringMatching(
        /does not hold the mounted pool: \/var\/lib\/backuppc is mounted from \/dev\/sda3 \(8:3\)/,
      ),
    });
    expect(planCopy(cfg, { lastGen: 0 }, facts({ mounts: [] }))).toMatchObject({
      refused: expect.stringMatching(/nothing is mounted on \/var\/lib\/backuppc/),
    });
    expect(
      planCopy(copySchema.parse({ source: '/dev/x', receiver: { host: 'b' } }), { lastGen: 0 }, facts()),
    ).toMatchObject({
      refused: expect.stringMatching(/copy.volume is not set/),
    });
  });
});

describe('the plan is the operations that run', () => {
  it('classic: the configuration through its own key, the snapshot, the transfer of its device', () => {
    const r = planCopy(cfg, { lastGen: 0 }, facts());
    if (!('plan' in r)) throw new Error(r.refused);
    expect(r.plan.device).toBe('/dev/mapper/vgpool-pool--baysync--copy--1');
    expect(r.plan.steps.map((s) => [s.id, s.ops.map(renderOp)])).toEqual([
      [
        'config',
        [
          'rsync --archive --delete --timeout=120 -e ssh -T -i /etc/baysync/copy_config_ed25519 -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=/etc/baysync/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -p 22 -- /etc/backuppc/ baysync-copy@b.example:',
        ],
      ],
      [
        'snapshot',
        [
          'lvcreate --yes --snapshot --name pool-baysync-copy-1 --addtag baysync-copy --extents 100%FREE -- vgpool/pool',
        ],
      ],
      ['transfer', []],
    ]);
  });

  it('thin, resumed on its snapshot with a verified base: thin_delta between the two, by thin id, inside a metadata snapshot', () => {
    const thin = lvs('lvs-thin');
    const origin = thin.find((l) => l.name === 'thinvol')!;
    const thinCfg = copySchema.parse({ volume: 'vgpool/thinvol', receiver: { host: 'b.example' } });
    const f = facts({ origin, owned: ownedSnapshots(thin, { vg: 'vgpool', lv: 'thinvol' }).owned });
    const r = planCopy(thinCfg, { lastGen: 2, thinBase: 1, inProgress: 2 }, f);
    if (!('plan' in r)) throw new Error(r.refused);
    expect(r.plan.steps.map((s) => s.id)).toEqual(['config', 'snapshot', 'thin-delta', 'transfer']);
    expect(r.plan.steps[2]!.ops.map(renderOp)).toEqual([
      'dmsetup message -- vgpool-thinpool-tpool 0 reserve_metadata_snap',
      'thin_delta -m --snap1 2 --snap2 3 -- /dev/mapper/vgpool-thinpool_tmeta',
      'dmsetup message -- vgpool-thinpool-tpool 0 release_metadata_snap',
    ]);
  });
});
