// The filesystem superblock parser against the first 4 KiB of filesystems made by the real
// tools (test/fixtures/fs: mkfs.xfs 6.1.0 of a 440 MiB file, mkfs.ext4 1.47 of a 64 MiB file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metadataOffsets, parseFsSuper } from '../../../src/system/parsers/fs-superblock.js';

const fx = (name: string): Buffer => readFileSync(new URL(`../../fixtures/fs/${name}`, import.meta.url));

describe('filesystem superblock', () => {
  it('reads XFS geometry as xfs_db prints it (blocksize 4096, dblocks 112640, agblocks 28160, agcount 4)', () => {
    const fs = parseFsSuper(fx('xfs-440M-head.bin'));
    expect(fs).toEqual({ type: 'xfs', blockSize: 4096, dataBlocks: 112640, agBlocks: 28160, agCount: 4 });
    expect(metadataOffsets(fs)).toEqual([0, 1, 2, 3].map((ag) => ag * 28160 * 4096));
  });

  it('recognises ext4 (dumpe2fs: block size 1024, block count 65536) and nothing else', () => {
    expect(parseFsSuper(fx('ext4-64M-head.bin'))).toEqual({ type: 'ext4', blockSize: 1024, blocks: 65536 });
    expect(metadataOffsets(parseFsSuper(fx('ext4-64M-head.bin')))).toEqual([0]);
    expect(parseFsSuper(Buffer.alloc(4096))).toBeUndefined();
    const crafted = Buffer.from(fx('xfs-440M-head.bin'));
    crafted.writeUInt32BE(0xffffffff, 88); // 4 billion allocation groups
    expect(parseFsSuper(crafted)).toBeUndefined();
  });
});
