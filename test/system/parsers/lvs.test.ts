// LVM's reports and thin_delta, against outputs captured from the real tools in the Debian 13
// lab guest (test/fixtures/lab/lvm/README.md lists the command and the state of each file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isActive,
  isInvalid,
  isSnapshot,
  isThin,
  parseLvs,
  parseThinDelta,
  parseVgs,
} from '../../../src/system/parsers/lvs.js';

const fx = (name: string): string =>
  readFileSync(new URL(`../../fixtures/lab/lvm/${name}.txt`, import.meta.url), 'utf8');

describe('lvs --reportformat json (lab)', () => {
  it('a plain mounted volume: its size in bytes, its device-mapper path, no fill level', () => {
    const { lvs, errors } = parseLvs(fx('lvs-classic-origin'));
    expect(errors).toEqual([]);
    expect(lvs).toEqual([
      {
        name: 'pool',
        vg: 'vgpool',
        attr: '-wi-ao----',
        bytes: 314572800,
        uuid: 'I2ivg1-34kd-Oind-xIeM-Dfbj-aT7H-k8bUd3',
        dmPath: '/dev/mapper/vgpool-pool',
        tags: [],
      },
    ]);
  });

  it('a classic snapshot: its origin, its tag and how full its copy-on-write space is', () => {
    const snap = parseLvs(fx('lvs-classic-snapshot')).lvs.find((l) => l.name === 'pool-baysync-copy')!;
    expect(snap).toMatchObject({ origin: 'pool', tags: ['baysync-copy'], dataPercent: 20.12, bytes: 41943040 });
    expect(isSnapshot(snap) && isActive(snap) && !isInvalid(snap) && !isThin(snap)).toBe(true);
    expect(parseLvs(fx('lvs-select-tag')).lvs.map((l) => l.name)).toEqual(['pool-baysync-copy']);
  });

  it('an overflowed classic snapshot is marked invalid (I) at 100 %', () => {
    const snap = parseLvs(fx('lvs-classic-invalid')).lvs.find((l) => l.name === 'pool-baysync-copy')!;
    expect(isInvalid(snap)).toBe(true);
    expect(snap.dataPercent).toBe(100);
  });

  it("no such volume or volume group: an empty list and LVM's own reason", () => {
    const lv = parseLvs(fx('lvs-missing'));
    expect(lv.lvs).toEqual([]);
    expect(lv.errors[0]).toMatch(/Failed to find logical volume "vgpool\/nosuch"/);
    expect(parseLvs(fx('lvs-vg-missing')).errors).toEqual([
      'Volume group "novg" not found',
      'Cannot process volume group novg',
    ]);
  });

  it('thin volumes: pool, thin id and origin; inactive snapshots carry the skip-activation flag', () => {
    const { lvs } = parseLvs(fx('lvs-thin'));
    const vol = lvs.find((l) => l.name === 'thinvol')!;
    expect(vol).toMatchObject({ pool: 'thinpool', thinId: 1, dataPercent: 33.15 });
    expect(isThin(vol) && !isSnapshot(vol)).toBe(true);
    const s1 = lvs.find((l) => l.name === 'thinvol-baysync-copy-1')!;
    expect(s1).toMatchObject({ origin: 'thinvol', pool: 'thinpool', thinId: 2, tags: ['baysync-copy'] });
    expect(isSnapshot(s1) && !isActive(s1) && s1.attr[9] === 'k').toBe(true);
    expect(lvs.find((l) => l.name === 'thinpool')).toMatchObject({ dataPercent: 25.44, metadataPercent: 12.01 });
    const active = parseLvs(fx('lvs-thin-active')).lvs;
    expect(isActive(active.find((l) => l.name === 'thinvol-baysync-copy-2')!)).toBe(true);
    expect(active.some((l) => l.name === '[thinpool_tmeta]')).toBe(true);
  });

  it('text that is not a report throws, naming the command', () => {
    expect(() => parseLvs('  Volume group "x" not found\n')).toThrow(/lvs --reportformat json: not JSON/);
    expect(() => parseLvs('{"report":[{"lv":[{"lv_name":"x"}]}]}')).toThrow(/missing lv_size/);
  });
});

describe('vgs --reportformat json (lab)', () => {
  it('size, free space and extent size in bytes', () => {
    expect(parseVgs(fx('vgs')).vgs).toEqual([
      { name: 'vgpool', bytes: 1254096896, freeBytes: 511705088, extentBytes: 4194304 },
    ]);
  });
});

describe('thin_delta -m (lab)', () => {
  const kib64 = 65536;
  it('the changed ranges in bytes: different and right_only, merged; same ranges left out', () => {
    const d = parseThinDelta(fx('thin_delta'));
    expect(d.blockBytes).toBe(kib64);
    expect(d.changed).toEqual([
      { offset: 0, length: 2 * kib64 },
      { offset: 161 * kib64, length: 33 * kib64 },
      { offset: 481 * kib64, length: 81 * kib64 },
      { offset: 2400 * kib64, length: kib64 },
    ]);
  });

  it('the --verbose form gives the same ranges', () => {
    expect(parseThinDelta(fx('thin_delta-verbose'))).toEqual(parseThinDelta(fx('thin_delta')));
  });

  it('a discarded range (left_only) is a change: it now reads as zeros', () => {
    const xml =
      '<superblock uuid="" time="2" transaction="3" data_block_size="128" nr_data_blocks="0">\n  <diff left="2" right="3">\n    <left_only begin="10" length="4"/>\n  </diff>\n</superblock>';
    expect(parseThinDelta(xml).changed).toEqual([{ offset: 10 * kib64, length: 4 * kib64 }]);
  });

  it("an error instead of a diff throws (never read as 'nothing changed')", () => {
    expect(() => parseThinDelta(fx('thin_delta-nosnap'))).toThrow(/no superblock/);
    expect(() => parseThinDelta(fx('thin_delta-released'))).toThrow(/no superblock/);
    expect(() => parseThinDelta('<superblock data_block_size="128">\n  <diff left="2" right="3">\n')).toThrow(
      /no complete <diff>/,
    );
  });
});
