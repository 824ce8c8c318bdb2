// The file-level verification of a detached copy: a sample of the live pool's files, older than
// the detach, compared with the copy mounted read-only, and the verdict the rotation records.
// Contract: only reads (the live pool and the read-only copy); never throws for a missing file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import type { RotationState } from './types.js';

export type VerifyResult = NonNullable<RotationState['verify']>;

/** The copy is mounted at `mnt`: check the marker directory and compare the sample. */
export async function verifyMountedCopy(
  cfg: Config,
  r: RotationState,
  mnt: string,
  offset: number,
  log: Logger,
  beat: () => void = () => undefined,
): Promise<VerifyResult> {
  const marker = join(mnt, cfg.storage.marker_dir);
  const markerFound = await stat(marker).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const detachedAt = Date.parse(r.timeline.find((t) => t.phase === 'detaching')?.at ?? r.startedAt);
  const { sampled, mismatched, changed, moved } = await compareSample(
    cfg.storage.mountpoint,
    mnt,
    cfg.policy.verify_sample_files,
    detachedAt,
    undefined,
    beat,
  );
  if (changed + moved)
    log.info(
      { set: r.set, changed, moved },
      `${changed + moved} sampled files were rewritten or moved in the live pool since the detach; not compared`,
    );
  const ok = markerFound && mismatched.length === 0;
  const detail = !markerFound
    ? `marker directory ${cfg.storage.marker_dir} missing on the copy`
    : mismatched.length
      ? `${mismatched.length} of ${sampled} sampled files differ from the live pool`
      : `marker ${cfg.storage.marker_dir} present, ${sampled} sampled files identical (data offset ${offset} bytes)`;
  return { ok, detail, sampled, mismatched: mismatched.slice(0, 20), markerFound };
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
 * mismatch. `afterSelect` lets tests act between the choice and the comparison.
 */
export async function compareSample(
  live: string,
  copy: string,
  n: number,
  before: number,
  afterSelect?: (files: string[]) => Promise<void>,
  /** Called for each file compared (progress, for the watchdog). */
  beat: () => void = () => undefined,
): Promise<{ sampled: number; mismatched: string[]; changed: number; moved: number }> {
  const since = before - 2000;
  const files: Array<{ path: string; ctimeMs: number; ino: number }> = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (files.length >= n * 4 || depth > 8) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(live, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((x, y) => x.name.localeCompare(y.name));
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile()) {
        // ctime, not mtime: a rename (BackupPC's status.pl -> status.pl.old) keeps the mtime
        // but changes the ctime, and such a file no longer matches the copy.
        const st = await stat(join(live, p)).catch(() => undefined);
        if (st && st.ctimeMs < since && st.mtimeMs < since) files.push({ path: p, ctimeMs: st.ctimeMs, ino: st.ino });
      }
      if (files.length >= n * 4) return;
    }
  };
  await walk('', 0);
  // Spread the sample over the tree deterministically.
  const step = Math.max(1, Math.floor(files.length / Math.max(1, n)));
  const sample = files.filter((_, i) => i % step === 0).slice(0, n);
  await afterSelect?.(sample.map((f) => f.path));
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
  let changed = 0;
  let moved = 0;
  for (const f of sample) {
    beat();
    const inCopy = await stat(join(copy, f.path)).catch(() => undefined);
    if (!inCopy || (blockCopy && inCopy.ino !== f.ino)) {
      if (await dirChangedSince(f.path)) moved++;
      else mismatched.push(f.path);
      continue;
    }
    const [a, b] = await Promise.all([sha256(join(live, f.path)), sha256(join(copy, f.path))]);
    if (a !== undefined && a === b) continue;
    const now = await stat(join(live, f.path)).catch(() => undefined);
    if (!now || now.ctimeMs !== f.ctimeMs || now.ino !== f.ino) changed++;
    else mismatched.push(f.path);
  }
  return { sampled: sample.length - changed - moved, mismatched, changed, moved };
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
