// The block-level proof of a detached copy (issue 11): at the split both halves of the set's
// mirror were identical, and since then the live half's write-intent bitmap marks every chunk
// the pool has written. So each chunk not marked must still be identical on the copy; one that
// differs is damage. Chunks are chosen all, or a share at random plus those holding the
// filesystem's headers; the bitmap is read again after the comparison, so a chunk written while
// it was compared is skipped, not blamed. Contract: only reads; says how much it proved.
import type { HalfLayout, MirrorHalves } from '../system/mirror-halves.js';
import { type FsSuper, metadataOffsets } from '../system/parsers/fs-superblock.js';
import { bitSet } from '../system/parsers/md-bitmap.js';
import type { BlockProof } from './types.js';

export type { BlockProof };

export interface ProveInput {
  halves: MirrorHalves;
  mirrorUuid: string;
  copyDev: string;
  liveDev: string;
  /** Percent of the chunks compared (100: all). */
  sharePercent: number;
  /** Where the filesystem starts in the stripe node (nested superblocks), and its superblock. */
  fsOffset: number;
  fs: FsSuper | undefined;
  random?: () => number;
  beat?: () => void;
  /** Drops the live half's page cache before the bitmap is read again (the first read cached it,
   *  and md writes the bitmap behind the cache: a stale re-read blamed a chunk written meanwhile). */
  refresh?: () => Promise<void>;
}

const none = (note: string): BlockProof => ({
  sizeBytes: 0,
  chunkBytes: 0,
  chunks: 0,
  proved: 0,
  provedBytes: 0,
  skipped: 0,
  damaged: [],
  note,
});

/** The chunks to compare: all, or `share` % at random and every chunk holding metadata. */
export function chooseChunks(n: number, sharePercent: number, always: number[], random = Math.random): number[] {
  if (sharePercent >= 100) return Array.from({ length: n }, (_, i) => i);
  const pick = new Set(always.filter((i) => i >= 0 && i < n));
  const want = Math.ceil((n * sharePercent) / 100);
  const rest = Array.from({ length: n }, (_, i) => i).filter((i) => !pick.has(i));
  for (let k = rest.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [rest[k], rest[j]] = [rest[j]!, rest[k]!];
  }
  for (const i of rest) {
    if (pick.size >= want) break;
    pick.add(i);
  }
  return [...pick].sort((a, b) => a - b);
}

export async function proveBlocks(p: ProveInput): Promise<BlockProof> {
  const [live, copy] = await Promise.all([
    p.halves.layout(p.liveDev, p.mirrorUuid),
    p.halves.layout(p.copyDev, p.mirrorUuid),
  ]);
  if (!live || !copy) return none(`no superblock of the mirror on ${live ? p.copyDev : p.liveDev}`);
  if (!live.bitmap)
    return none(
      `the live half ${p.liveDev} has no write-intent bitmap: a chunk written since the split cannot be told from damage`,
    );
  const chunkBytes = live.bitmap.chunkBytes;
  const sizeBytes = Math.min(live.sizeBytes || Infinity, copy.sizeBytes || Infinity, live.bitmap.syncSectors * 512);
  const n = Math.ceil(sizeBytes / chunkBytes);
  const fsInArray = p.fsOffset - copy.dataOffset;
  const headers = [...metadataOffsets(p.fs), -1].map((o) => (o < 0 ? n - 1 : Math.floor((fsInArray + o) / chunkBytes)));
  const written = (l: HalfLayout, i: number): boolean => bitSet(l.bitmap!.bits, i);
  const chosen = chooseChunks(n, p.sharePercent, [0, ...headers], p.random);
  const toRead = chosen.filter((i) => !written(live, i));
  const differing = await p.halves.compare(
    { dev: p.copyDev, dataOffset: copy.dataOffset },
    { dev: p.liveDev, dataOffset: live.dataOffset },
    { sizeBytes, chunkBytes, chunks: toRead, beat: p.beat },
  );
  // Read again: a chunk the pool wrote while it was compared has its bit set by now.
  await p.refresh?.();
  const after = (await p.halves.layout(p.liveDev, p.mirrorUuid)) ?? live;
  const stillClean = (i: number): boolean => (after.bitmap ? !written(after, i) : true);
  const damaged = differing.filter(stillClean);
  const provedChunks = toRead.filter((i) => stillClean(i) && !differing.includes(i));
  const bytesOf = (i: number): number => Math.min(chunkBytes, sizeBytes - i * chunkBytes);
  return {
    sizeBytes,
    chunkBytes,
    chunks: n,
    proved: provedChunks.length,
    provedBytes: provedChunks.reduce((s, i) => s + bytesOf(i), 0),
    skipped: chosen.length - toRead.length + toRead.filter((i) => !stillClean(i)).length,
    damaged,
  };
}
