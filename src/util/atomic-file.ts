// Atomic file replacement: write a temp file beside the target, fsync it, rename it over the
// target, then fsync the directory. Contract: after a crash at any point, readers see either
// the old content or the new one, never a torn file; a write that cannot complete (a full disk)
// throws, removes its temp file and leaves the target as it was. The temp file has an
// unpredictable name and is created with O_EXCL|O_NOFOLLOW, so nothing planted beside the target
// (a symlink, a file of the same name) is followed or reused (invariant 11). Used for persisted
// state, the spool and the BackupPC include (safe-file.ts).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicOptions {
  mode?: number;
  /** Owner of the new file (root keeps it otherwise). */
  owner?: { uid: number; gid: number };
}

export function writeFileAtomic(
  path: string,
  content: string | Buffer,
  modeOrOpts: number | AtomicOptions = 0o600,
): void {
  const o = typeof modeOrOpts === 'number' ? { mode: modeOrOpts } : modeOrOpts;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    o.mode ?? 0o600,
  );
  try {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    // writeSync may write less than asked (a nearly full disk): write until done.
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    const size = fstatSync(fd).size;
    if (size !== buf.length)
      throw new Error(`${path}: wrote ${size} of ${buf.length} bytes; the previous content is kept`);
    if (o.owner) fchownSync(fd, o.owner.uid, o.owner.gid);
    // The mode asked for, whatever the umask (the daemon's unit sets UMask=0077, and a
    // textfile for node_exporter or BackupPC's include must stay readable by their users).
    fchmodSync(fd, o.mode ?? 0o600);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
