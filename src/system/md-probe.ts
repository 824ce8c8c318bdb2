// Read-only reads of md superblocks straight from a device node (no process spawned): the probe
// of a candidate member, and the walk through nested v1 superblocks to where a copy's
// filesystem starts. Contract: opens read-only and closes what it opened; never writes.
// readSuperblock() answers 'examine' when only mdadm can tell (a 0.90/1.0 superblock at the end)
// or the node cannot be opened; the caller (md.ts) bounds the time a read may take.
import { open } from 'node:fs/promises';
import {
  endSuperblockOffsets,
  levelName,
  mdV1Magic,
  parseMdSuperblockV1,
  superblockProbeOffsets,
} from './parsers/md-superblock.js';
import type { MdExamine } from './parsers/mdadm-export.js';

export async function readSuperblock(node: string, sizeBytes: number): Promise<MdExamine | 'examine' | undefined> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(node, 'r');
  } catch {
    return 'examine';
  }
  try {
    const buf = Buffer.alloc(4096);
    for (const off of superblockProbeOffsets) {
      const { bytesRead } = await fh.read(buf, 0, 4096, off);
      const sb = bytesRead === 4096 ? parseMdSuperblockV1(buf) : undefined;
      if (sb)
        return {
          level: levelName(sb.level),
          raidDevices: sb.raidDisks,
          uuid: sb.uuid,
          devUuid: sb.devUuid,
          name: sb.name,
          events: sb.events,
          partlyRecovered: sb.partlyRecovered,
          raw: {},
        };
    }
    for (const off of endSuperblockOffsets(sizeBytes)) {
      const { bytesRead } = await fh.read(buf, 0, 4, off);
      if (bytesRead === 4 && (buf.readUInt32LE(0) === mdV1Magic || buf.readUInt32BE(0) === mdV1Magic)) return 'examine';
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** The byte offset of the filesystem under the given layers of v1.1/1.2 superblocks (a layer
 *  with none, 0.90/1.0 at the end, adds nothing). */
export async function nestedDataOffset(node: string, expectedUuids: string[]): Promise<number> {
  let offset = 0;
  const fh = await open(node, 'r');
  try {
    for (const uuid of expectedUuids) {
      for (const probe of superblockProbeOffsets) {
        const buf = Buffer.alloc(4096);
        await fh.read(buf, 0, 4096, offset + probe);
        const sb = parseMdSuperblockV1(buf);
        if (sb && sb.uuid === uuid) {
          offset += sb.dataOffsetSectors * 512;
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return offset;
}
