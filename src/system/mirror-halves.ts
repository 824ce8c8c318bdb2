// The two halves of a degraded md mirror read as block devices, for the block-level proof of a
// detached copy: where each half's data starts (its v1 superblock), the live half's write-intent
// bitmap (which chunks the array has written since the other half left), and a chunk-by-chunk
// comparison of the data areas. Contract: only reads (open O_RDONLY); the caller drops the
// devices' page cache first (`blockdev --flushbufs`), since md writes a member with bios that
// bypass it; never throws for a short read (the chunk then differs).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { kernelName } from '../util/names.js';
import { type FsSuper, parseFsSuper } from './parsers/fs-superblock.js';
import { type BitmapSuper, bitmapSuperBytes, parseBitmapSuper } from './parsers/md-bitmap.js';
import { parseMdSuperblockV1, superblockProbeOffsets } from './parsers/md-superblock.js';

export interface HalfLayout {
  /** Byte offset of the array's data on this member. */
  dataOffset: number;
  /** Bytes of array data (the superblock's used size). */
  sizeBytes: number;
  bitmap?: BitmapSuper & { bits: Uint8Array };
}

const piece = 1024 * 1024;

export class MirrorHalves {
  constructor(private readonly devDir: string) {}

  node(dev: string): string {
    return join(this.devDir, kernelName(dev));
  }

  /** The filesystem that starts `offset` bytes into the device, if one is recognised. */
  async fsAt(dev: string, offset: number): Promise<FsSuper | undefined> {
    const fh = await open(this.node(dev), 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, 4096, offset);
      return parseFsSuper(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  }

  /** The member's superblock of array `uuid` (1.2, else 1.1) and, if it has one, its bitmap. */
  async layout(dev: string, uuid: string): Promise<HalfLayout | undefined> {
    const fh = await open(this.node(dev), 'r');
    try {
      for (const at of superblockProbeOffsets) {
        const buf = Buffer.alloc(4096);
        await fh.read(buf, 0, 4096, at);
        const sb = parseMdSuperblockV1(buf);
        if (!sb || sb.uuid !== uuid) continue;
        const out: HalfLayout = { dataOffset: sb.dataOffsetSectors * 512, sizeBytes: sb.sizeSectors * 512 };
        if (sb.hasBitmap) {
          const pos = at + sb.bitmapOffsetSectors * 512;
          const head = Buffer.alloc(bitmapSuperBytes);
          await fh.read(head, 0, bitmapSuperBytes, pos);
          const bm = parseBitmapSuper(head);
          if (bm) {
            const bits = Buffer.alloc(Math.ceil(bm.chunks / 8));
            await fh.read(bits, 0, bits.length, pos + bitmapSuperBytes);
            out.bitmap = { ...bm, bits };
          }
        }
        return out;
      }
      return undefined;
    } finally {
      await fh.close();
    }
  }

  /**
   * Compare chunk `i` (of `chunkBytes`, the last one cut at `sizeBytes`) of the two data areas,
   * for each listed chunk; returns the chunks that differ. `beat` is called per megabyte.
   */
  async compare(
    a: { dev: string; dataOffset: number },
    b: { dev: string; dataOffset: number },
    o: { sizeBytes: number; chunkBytes: number; chunks: number[]; beat?: () => void },
  ): Promise<number[]> {
    const [fa, fb] = await Promise.all([open(this.node(a.dev), 'r'), open(this.node(b.dev), 'r')]);
    const ba = Buffer.alloc(piece);
    const bb = Buffer.alloc(piece);
    const differing: number[] = [];
    try {
      for (const i of o.chunks) {
        const start = i * o.chunkBytes;
        const end = Math.min(o.sizeBytes, start + o.chunkBytes);
        for (let at = start; at < end; at += piece) {
          o.beat?.();
          const len = Math.min(piece, end - at);
          const [ra, rb] = await Promise.all([
            fa.read(ba, 0, len, a.dataOffset + at),
            fb.read(bb, 0, len, b.dataOffset + at),
          ]);
          if (ra.bytesRead !== len || rb.bytesRead !== len || !ba.subarray(0, len).equals(bb.subarray(0, len))) {
            differing.push(i);
            break;
          }
        }
      }
    } finally {
      await Promise.all([fa.close(), fb.close()]);
    }
    return differing;
  }
}
