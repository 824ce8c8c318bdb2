// Pure parser of the first bytes of a filesystem, for the verification of a detached copy:
// which filesystem it is (XFS, ext2/3/4) and, for XFS, its allocation-group geometry (each AG
// starts with its own copy of the superblock and its free-space and inode headers, the areas a
// share-sampled block proof always includes). Contract: undefined for anything else.
export type FsSuper =
  | { type: 'xfs'; blockSize: number; dataBlocks: number; agBlocks: number; agCount: number }
  | { type: 'ext4'; blockSize: number; blocks: number };

/** `buf` holds at least the first 2 KiB of the filesystem. */
export function parseFsSuper(buf: Buffer): FsSuper | undefined {
  if (buf.length >= 96 && buf.toString('latin1', 0, 4) === 'XFSB') {
    const xfs = {
      type: 'xfs' as const,
      blockSize: buf.readUInt32BE(4),
      dataBlocks: Number(buf.readBigUInt64BE(8)),
      agBlocks: buf.readUInt32BE(84),
      agCount: buf.readUInt32BE(88),
    };
    // A damaged or crafted superblock is not believed (its AG count sizes a list).
    const sane = xfs.blockSize >= 512 && xfs.blockSize <= 65536 && xfs.agCount >= 1 && xfs.agCount <= 100_000;
    return sane ? xfs : undefined;
  }
  if (buf.length >= 2048 && buf.readUInt16LE(1024 + 56) === 0xef53)
    return { type: 'ext4', blockSize: 1024 << buf.readUInt32LE(1024 + 24), blocks: buf.readUInt32LE(1024 + 4) };
  return undefined;
}

/** Byte offsets of the filesystem's metadata headers: its start and each XFS AG's start. */
export function metadataOffsets(fs: FsSuper | undefined): number[] {
  if (fs?.type !== 'xfs') return [0];
  return Array.from({ length: fs.agCount }, (_, ag) => ag * fs.agBlocks * fs.blockSize);
}
