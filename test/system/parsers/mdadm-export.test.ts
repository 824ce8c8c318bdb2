// Parsers against outputs captured from the real tools in the lab (test/fixtures/lab/README.md
// lists the command that produced each file).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseDataOffsetBytes,
  parseDetailExport,
  parseExamineExport,
} from '../../../src/system/parsers/mdadm-export.js';

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}.txt`, import.meta.url), 'utf8');

describe('mdadm --detail/--examine --export (lab)', () => {
  it('detail of a recovering mirror lists both members with roles', () => {
    const d = parseDetailExport(fx('detail-export-md5-recovering'));
    expect(d).toMatchObject({
      level: 'raid1',
      raidDevices: 2,
      metadata: '1.2',
      uuid: 'b238d78cd43ce682d04ad36ec51d6a60',
      name: 'baylab:5',
    });
    expect(d.members).toEqual([
      { dev: 'md3', role: '0' },
      { dev: 'md8', role: '1' },
    ]);
  });
  it('detail of the degraded mirror and the top mirror', () => {
    expect(parseDetailExport(fx('detail-export-md5-degraded')).members).toEqual([{ dev: 'md3', role: '0' }]);
    expect(
      parseDetailExport(fx('detail-export-md7'))
        .members.map((m) => m.dev)
        .sort(),
    ).toEqual(['md5', 'md6']);
  });
  it('examine of an external stripe member and of the stripe after it joined', () => {
    expect(parseExamineExport(fx('examine-export-stripe-member'))).toMatchObject({
      level: 'raid0',
      raidDevices: 2,
      uuid: '7207c2c14e3f82351075123044f91070',
      events: 0,
    });
    expect(parseExamineExport(fx('examine-export-stripe-member-of-md5'))).toMatchObject({
      level: 'raid1',
      uuid: 'b238d78cd43ce682d04ad36ec51d6a60',
      events: 45,
    });
  });
  it('a device without a superblock gives nothing', () => {
    expect(parseExamineExport(fx('examine-export-none'))).toBeUndefined();
    expect(parseExamineExport(fx('examine-export-stripe-new'))).toBeUndefined();
  });
  it('plain examine gives the data offset', () => {
    expect(parseDataOffsetBytes(fx('examine-md3-plain'))).toBeGreaterThan(0);
  });
});
