// Pure parser of md's internal write-intent bitmap as it lies on a member device: the bitmap
// superblock (bitmap_super_t, little-endian, 256 bytes) and the bits after it, one per chunk
// of the array, set on disk before md writes the chunk (md-bitmap.c) and never cleared while
// the mirror is degraded. Contract: undefined when the buffer does not start with the magic.
export const bitmapMagic = 0x6d746962; // "bitm"
export const bitmapSuperBytes = 256;

export interface BitmapSuper {
  version: number;
  uuid: string;
  events: number;
  /** Sectors of the array the bitmap covers. */
  syncSectors: number;
  chunkBytes: number;
  /** Number of bits (chunks). */
  chunks: number;
}

export function parseBitmapSuper(buf: Buffer): BitmapSuper | undefined {
  if (buf.length < bitmapSuperBytes || buf.readUInt32LE(0) !== bitmapMagic) return undefined;
  const chunkBytes = buf.readUInt32LE(52);
  const syncSectors = Number(buf.readBigUInt64LE(40));
  if (!chunkBytes) return undefined;
  return {
    version: buf.readUInt32LE(4),
    uuid: buf.subarray(8, 24).toString('hex'),
    events: Number(buf.readBigUInt64LE(24)),
    syncSectors,
    chunkBytes,
    chunks: Math.ceil((syncSectors * 512) / chunkBytes),
  };
}

/** Bit `i` of the on-disk bitmap (md stores it little-endian: byte i/8, bit i%8). */
export function bitSet(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
}

/** The indexes of the set bits among the first `n`. */
export function setBits(bits: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (bitSet(bits, i)) out.push(i);
  return out;
}
