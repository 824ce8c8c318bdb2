// The file-level verification of a detached copy: a uniform sample of the live pool's files
// compared with the copy mounted read-only (files changed since the detach are counted apart).
// Contract: only reads (the live pool and the read-only copy); never throws for a missing file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import type { RotationState } from './types.js';

export type { VerifyResult } from './types.js';

export interface FileCheck {
  markerFound: boolean;
  /** Files compared (identical or not). */
  sampled: number;
  mismatched: string[];
  skipped: string[];
  /** Every file of the live pool was a candidate and none was left unexamined (a small pool). */
  wholePool: boolean;
  /** Files in the live pool's walk. */
  seen: number;
}

/** The copy is mounted at `mnt`: check the marker directory and compare a uniform sample. */
export async function verifyMountedCopy(
  cfg: Config,
  r: RotationState,
  mnt: string,
  log: Logger,
  beat: () => void = () => undefined,
): Promise<FileCheck> {
  const marker = join(mnt, cfg.storage.marker_dir);
  const markerFound = await stat(marker).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const detachedAt = Date.parse(r.timeline.find((t) => t.phase === 'detaching')?.at ?? r.startedAt);
  const { sampled, mismatched, skipped, wholePool, seen } = await compareSample(
    cfg.storage.mountpoint,
    mnt,
    cfg.policy.verify_sample_files,
    detachedAt,
    undefined,
    beat,
  );
  if (skipped.length)
    log.info(
      { set: r.set, skipped: skipped.slice(0, 20) },
      `${skipped.length} sampled files were rewritten or moved in the live pool since the detach; not compared`,
    );
  return { markerFound, sampled, mismatched, skipped, wholePool, seen };
}

/**
 * Compare a sample of the live pool's files, older than the detach, with the copy. The copy is
 * a block copy of the filesystem, so an unchanged file has the same inode number there. Two
 * kinds of live change after the detach are left out, not reported as mismatches (BackupPC runs
 * again once the copy is detached):
 * - a file rewritten while it is compared: its ctime after the hash differs (`changed`);
 * - a path that leads elsewhere than in the copy because a directory above it changed since the
 *   detach: BackupPC 4 renames the newest backup's directory to the next backup number when a
 *   dump starts, which moves old files to new paths without touching their ctime (`moved`).
 * A different inode with no such directory change, or different content of the same inode, is a
 * mismatch. So that a busy pool still yields `n` comparisons, 4 × n candidates are drawn and
 * examined in random order until `n` were compared (a uniform sample of the unchanged files).
 * `wholePool` says every file of the pool was examined. `afterSelect` lets tests act between
 * the choice and the comparison.
 */
export async function compareSample(
  live: string,
  copy: string,
  n: number,
  before: number,
  afterSelect?: (files: string[]) => Promise<void>,
  /** Called for each file compared and directory read (progress, for the watchdog). */
  beat: () => void = () => undefined,
  random: () => number = Math.random,
): Promise<{
  sampled: number;
  mismatched: string[];
  changed: number;
  moved: number;
  skipped: string[];
  wholePool: boolean;
  seen: number;
}> {
  const since = before - 2000;
  const { candidates, seen } = await drawCandidates(live, 4 * n, random, beat);
  // ctime, not mtime: a rename (BackupPC's status.pl -> status.pl.old) keeps the mtime but
  // changes the ctime, and such a file no longer matches the copy.
  const stats = new Map<string, import('node:fs').Stats | undefined>();
  for (const path of candidates) stats.set(path, await stat(join(live, path)).catch(() => undefined));
  await afterSelect?.(candidates);
  const dirChangedSince = async (rel: string): Promise<boolean> => {
    for (let d = rel.split('/').slice(0, -1); d.length; d = d.slice(0, -1)) {
      const st = await stat(join(live, ...d)).catch(() => undefined);
      if (!st || st.ctimeMs >= since) return true;
    }
    return false;
  };
  // Inode numbers identify a file only across a block copy (another device); a copy on the
  // same filesystem (the unit tests' trees) is compared by path and content alone.
  const [liveRoot, copyRoot] = await Promise.all([stat(live), stat(copy)]);
  const blockCopy = liveRoot.dev !== copyRoot.dev;
  const mismatched: string[] = [];
  const skipped: string[] = [];
  let changed = 0;
  let moved = 0;
  let compared = 0;
  let examined = 0;
  for (const path of candidates) {
    if (compared >= n) break;
    examined++;
    beat();
    const f = stats.get(path);
    if (!f || f.ctimeMs >= since || f.mtimeMs >= since) {
      changed++;
      skipped.push(path);
      continue;
    }
    const inCopy = await stat(join(copy, path)).catch(() => undefined);
    if (!inCopy || (blockCopy && inCopy.ino !== f.ino)) {
      if (await dirChangedSince(path)) {
        moved++;
        skipped.push(path);
      } else {
        compared++;
        mismatched.push(path);
      }
      continue;
    }
    const [a, b] = await Promise.all([sha256(join(live, path)), sha256(join(copy, path))]);
    if (a !== undefined && a === b) {
      compared++;
      continue;
    }
    const now = await stat(join(live, path)).catch(() => undefined);
    if (!now || now.ctimeMs !== f.ctimeMs || now.ino !== f.ino) {
      changed++;
      skipped.push(path);
    } else {
      compared++;
      mismatched.push(path);
    }
  }
  const wholePool = seen === candidates.length && examined === candidates.length;
  return { sampled: compared, mismatched, changed, moved, skipped, wholePool, seen };
}

/**
 * Up to `k` files of the tree, each with the same chance wherever it lies (reservoir sampling
 * over one walk, without a stat per file), returned in random order.
 */
async function drawCandidates(
  live: string,
  k: number,
  random: () => number,
  beat: () => void,
): Promise<{ candidates: string[]; seen: number }> {
  const sample: string[] = [];
  let seen = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > 64) return;
    beat();
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(live, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile()) {
        seen++;
        if (sample.length < k) sample.push(p);
        else {
          const j = Math.floor(random() * seen);
          if (j < k) sample[j] = p;
        }
      }
    }
  };
  await walk('', 0);
  for (let i = sample.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sample[i], sample[j]] = [sample[j]!, sample[i]!];
  }
  return { candidates: sample, seen };
}

function sha256(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', () => resolve(undefined))
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')));
  });
}
