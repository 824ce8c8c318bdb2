// Parsers against outputs captured from the real tools in the lab (test/fixtures/lab/README.md
// lists the command that produced each file).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

describe('/proc/mdstat with members that are not plain kernel names', () => {
  it('an array on LUKS or LVM (dm-N members) is listed without them, instead of failing every scan', () => {
    const a = parseMdstat(
      'Personalities : [raid1]\nmd10 : active raid1 dm-1[1] dm-0[0]\n      1047552 blocks super 1.2 [2/2] [UU]\n\nmd5 : active raid1 md3[0]\n      900096 blocks super 1.2 [2/1] [U_]\n\nunused devices: <none>\n',
    );
    expect(a.map((x) => [x.name, x.members.map((m) => m.dev)])).toEqual([
      ['md10', []],
      ['md5', ['md3']],
    ]);
  });

  it('a stripe that lost a drive is "broken": still listed, running, and its mirror holds it faulty', () => {
    const a = parseMdstat(fx('mdstat-broken-stripe'));
    const md8 = a.find((x) => x.name === 'md8')!;
    expect(md8).toMatchObject({ active: true, broken: true, level: 'raid0' });
    expect(md8.members.map((m) => m.dev)).toEqual(['sde2', 'sdf2']);
    expect(a.find((x) => x.name === 'md5')!.members.find((m) => m.dev === 'md8')?.faulty).toBe(true);
    expect(a.filter((x) => x.broken).map((x) => x.name)).toEqual(['md8']);
  });
});
