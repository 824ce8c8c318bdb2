// Parsers against outputs captured from the real tools in the lab (test/fixtures/lab/README.md
// lists the command that produced each file).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBitmapDirtyBytes } from '../../../src/system/parsers/md-superblock.js';
import { parseDevState, parseSyncCompleted } from '../../../src/system/parsers/md-sysfs.js';
import {
  parseDataOffsetBytes,
  parseDetailExport,
  parseExamineExport,
} from '../../../src/system/parsers/mdadm-export.js';
import { parseMdstat } from '../../../src/system/parsers/mdstat.js';

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}.txt`, import.meta.url), 'utf8');

describe('/proc/mdstat (lab)', () => {
  it('idle: the arrays, degraded mirrors, an auto-read-only root mirror (writable: not read-only)', () => {
    const a = parseMdstat(fx('mdstat-idle'));
    expect(a.map((x) => x.name).sort()).toEqual(['md1', 'md3', 'md4', 'md5', 'md6', 'md7']);
    const md5 = a.find((x) => x.name === 'md5')!;
    expect(md5).toMatchObject({
      active: true,
      level: 'raid1',
      raidDisks: 2,
      workingDisks: 1,
      members: [{ dev: 'md3', slot: 0 }],
    });
    expect(md5.bitmap).toMatch(/pages/);
    const md1 = a.find((x) => x.name === 'md1')!;
    expect(md1).toMatchObject({ readonly: false, autoReadOnly: true, raidDisks: 6, workingDisks: 4 });
  });
  it('recovering: progress, speed and finish estimate', () => {
    const md5 = parseMdstat(fx('mdstat-recovering')).find((x) => x.name === 'md5')!;
    expect(md5.members.map((m) => m.dev)).toEqual(['md8', 'md3']);
    expect(md5.sync).toEqual({
      action: 'recovery',
      percent: 24.5,
      done: 110976,
      total: 449536,
      finishMin: 0,
      speedKps: 110976,
    });
  });
  it('plugging a set in assembles nothing by itself (ARRAY <ignore>), and a manual assembly is not auto-joined', () => {
    expect(parseMdstat(fx('mdstat-after-plug')).some((x) => x.name === 'md8')).toBe(false);
    const assembled = parseMdstat(fx('mdstat-stripe-assembled'));
    expect(assembled.find((x) => x.name === 'md8')?.members.map((m) => m.dev)).toEqual(['sde2', 'sdf2']);
    expect(assembled.find((x) => x.name === 'md5')?.members.map((m) => m.dev)).toEqual(['md3']);
  });
  it('a read-only assembled stripe', () => {
    expect(parseMdstat(fx('mdstat-readonly-stripe')).find((x) => x.name === 'md8')).toMatchObject({
      readonly: true,
      level: 'raid0',
    });
  });
});

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

describe('bitmap and sysfs (lab)', () => {
  it('examine-bitmap: dirty chunks x chunk size', () => {
    expect(parseBitmapDirtyBytes(fx('examine-bitmap-md3-dirty'))).toBe(7 * 64 * 1024 * 1024);
    expect(parseBitmapDirtyBytes(fx('examine-bitmap-md3'))).toBeGreaterThanOrEqual(0);
  });
  it('sysfs while recovering and when clean', () => {
    expect(parseSyncCompleted('506880 / 899072')).toEqual({ done: 506880, total: 899072 });
    expect(fx('sysfs-md5-recovering')).toContain('sync_completed=506880 / 899072');
    expect(fx('sysfs-md5-recovering')).toContain('dev-md8/state=spare');
    expect(parseDevState('spare')).toEqual(['spare']);
    const clean = fx('sysfs-md5-clean');
    expect(clean).toContain('sync_action=idle');
    expect(clean).toContain('degraded=0');
    expect(clean).toMatch(/sync_completed=none/);
    expect(parseSyncCompleted('none')).toBeUndefined();
  });
});
