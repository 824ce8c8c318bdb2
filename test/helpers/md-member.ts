// Test helper: an md member image as a plain file, with a v1.2 superblock at 4 KiB (data offset
// and size in sectors, the array UUID) and, optionally, a write-intent bitmap at 8 KiB whose bits
// start 256 bytes in. The layout is the one the kernel writes (md_p.h, md-bitmap.h); the
// parsers' own fixtures come from real members captured in the lab.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bitmapMagic } from '../../src/system/parsers/md-bitmap.js';
import { mdV1Magic } from '../../src/system/parsers/md-superblock.js';

export interface MemberSpec {
  uuid: string;
  dataOffsetSectors: number;
  data: Buffer;
  /** The bitmap's chunk size in bytes; no bitmap when absent. */
  bitmapChunk?: number;
}

/** Offset of the bitmap's bits in a member written by writeMember. */
export const bitmapBitsAt = 8192 + 256;

export function writeMember(dir: string, name: string, m: MemberSpec): void {
  const buf = Buffer.alloc(m.dataOffsetSectors * 512 + m.data.length);
  buf.writeUInt32LE(mdV1Magic, 4096);
  buf.writeUInt32LE(1, 4096 + 4);
  buf.writeUInt32LE(m.bitmapChunk ? 1 : 0, 4096 + 8);
  Buffer.from(m.uuid, 'hex').copy(buf, 4096 + 16);
  buf.writeInt32LE(1, 4096 + 72);
  buf.writeBigUInt64LE(BigInt(m.data.length / 512), 4096 + 80);
  buf.writeInt32LE(8, 4096 + 96);
  buf.writeBigUInt64LE(BigInt(m.dataOffsetSectors), 4096 + 128);
  if (m.bitmapChunk) {
    buf.writeUInt32LE(bitmapMagic, 8192);
    buf.writeUInt32LE(4, 8196);
    buf.writeBigUInt64LE(BigInt(m.data.length / 512), 8192 + 40);
    buf.writeUInt32LE(m.bitmapChunk, 8192 + 52);
  }
  m.data.copy(buf, m.dataOffsetSectors * 512);
  writeFileSync(join(dir, name), buf);
}
