// Parsers against outputs captured from the real tools in the lab (test/fixtures/lab/README.md
// lists the command that produced each file).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  endSuperblockOffsets,
  levelName,
  mdV1Magic,
  parseBitmapDirtyBytes,
  parseMdSuperblockV1,
} from '../../../src/system/parsers/md-superblock.js';

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}.txt`, import.meta.url), 'utf8');

describe('mdadm --examine-bitmap (lab)', () => {
  it('dirty chunks x chunk size', () => {
    expect(parseBitmapDirtyBytes(fx('examine-bitmap-md3-dirty'))).toBe(7 * 64 * 1024 * 1024);
    expect(parseBitmapDirtyBytes(fx('examine-bitmap-md3'))).toBeGreaterThanOrEqual(0);
    expect(parseBitmapDirtyBytes('no bitmap here')).toBeUndefined();
  });
});

describe('md v1 superblock', () => {
  it('reads the array UUID, level, members and data offset, and refuses other magic', () => {
    const buf = Buffer.alloc(4096);
    buf.writeUInt32LE(mdV1Magic, 0);
    buf.writeUInt32LE(1, 4);
    Buffer.from('00000005000000000000000000000005', 'hex').copy(buf, 16);
    buf.writeInt32LE(1, 72);
    buf.writeUInt32LE(2, 92);
    buf.writeBigUInt64LE(2048n, 128);
    buf.writeUInt32LE(2, 8);
    expect(parseMdSuperblockV1(buf)).toMatchObject({
      uuid: '00000005000000000000000000000005',
      level: 1,
      raidDisks: 2,
      dataOffsetSectors: 2048,
      partlyRecovered: true,
    });
    expect(parseMdSuperblockV1(Buffer.alloc(4096))).toBeUndefined();
    expect(levelName(0)).toBe('raid0');
  });

  it('0.90 and 1.0 keep their superblock at the end of the device', () => {
    expect(endSuperblockOffsets(1024 * 1024)).toEqual([1024 * 1024 - 8192, 1024 * 1024 - 65536]);
  });
});
