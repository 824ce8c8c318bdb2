// Pure parser of an md v1.x superblock (struct mdp_superblock_1, little-endian) read from a
// device: array UUID, level, data offset. Used by the read-only verification to find where the
// filesystem starts inside nested mirrors without creating intermediate block devices (which
// udev could hand to `mdadm --incremental`). Contract: returns undefined when the buffer does
// not start with the v1 magic; offsets are in 512-byte sectors as md stores them.
export const mdV1Magic = 0xa92b4efc;

const levelNames: Record<number, string> = {
  [-1]: 'linear',
  0: 'raid0',
  1: 'raid1',
  4: 'raid4',
  5: 'raid5',
  6: 'raid6',
  10: 'raid10',
};
export function levelName(level: number): string {
  return levelNames[level] ?? `level${level}`;
}

export interface MdSuperblockV1 {
  uuid: string; // 32 lowercase hex
  devUuid: string;
  /** feature_map bit 2 (MD_FEATURE_RECOVERY_OFFSET): the member was only partly recovered. */
  partlyRecovered: boolean;
  level: number;
  raidDisks: number;
  /** feature_map bit 0: an internal write-intent bitmap, `bitmapOffsetSectors` from the superblock. */
  hasBitmap: boolean;
  bitmapOffsetSectors: number;
  /** The used size of each member (the array's data), in sectors. */
  sizeSectors: number;
  dataOffsetSectors: number;
  dataSizeSectors: number;
  superOffsetSectors: number;
  events: number;
  name: string;
}

export function parseMdSuperblockV1(buf: Buffer): MdSuperblockV1 | undefined {
  if (buf.length < 256 || buf.readUInt32LE(0) !== mdV1Magic) return undefined;
  if (buf.readUInt32LE(4) !== 1) return undefined;
  const name = buf.subarray(32, 64).toString('latin1').replace(/\0.*$/s, '');
  return {
    uuid: buf.subarray(16, 32).toString('hex'),
    devUuid: buf.subarray(168, 184).toString('hex'),
    partlyRecovered: (buf.readUInt32LE(8) & 2) !== 0,
    name,
    level: buf.readInt32LE(72),
    raidDisks: buf.readUInt32LE(92),
    hasBitmap: (buf.readUInt32LE(8) & 1) !== 0,
    bitmapOffsetSectors: buf.readInt32LE(96),
    sizeSectors: Number(buf.readBigUInt64LE(80)),
    dataOffsetSectors: Number(buf.readBigUInt64LE(128)),
    dataSizeSectors: Number(buf.readBigUInt64LE(136)),
    superOffsetSectors: Number(buf.readBigUInt64LE(144)),
    events: Number(buf.readBigUInt64LE(200)),
  };
}

/** Where md 0.90 and 1.0 keep their superblock (near the end of the device), in bytes. */
export function endSuperblockOffsets(sizeBytes: number): number[] {
  const v10 = Math.floor((sizeBytes - 8192) / 4096) * 4096;
  const v090 = Math.floor(sizeBytes / 65536) * 65536 - 65536;
  return [v10, v090].filter((o) => o >= 0);
}

/** md 1.2 keeps the superblock 4 KiB from the start, 1.1 at the start. */
export const superblockProbeOffsets = [4096, 0];

/** Pure parser of `mdadm --examine-bitmap` (-X): dirty chunks x chunk size = bytes to resync. */
export function parseBitmapDirtyBytes(text: string): number | undefined {
  const chunk = /Chunksize\s*:\s*([\d.]+)\s*(B|KB|MB|GB)/.exec(text);
  const dirty = /Bitmap\s*:\s*\d+\s*bits \(chunks\),\s*(\d+)\s*dirty/.exec(text);
  if (!chunk || !dirty) return undefined;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[chunk[2] as 'B' | 'KB' | 'MB' | 'GB'];
  return Math.round(Number(chunk[1]) * unit) * Number(dirty[1]);
}
