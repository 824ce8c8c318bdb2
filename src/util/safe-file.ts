// Files root reads and writes in directories other users own (BackupPC's /etc/backuppc belongs
// to the backuppc user, invariant 11). readNoFollow() never follows a symlink and reads only a
// regular file. replaceOwnedFile() replaces a regular file owned by root or by the directory's
// owner, atomically (atomic-file.ts: unpredictable temp name, O_EXCL|O_NOFOLLOW), keeping its
// mode and owner; a symlink, a directory, a device or a file owned by anyone else is refused with
// a message that says what was found. Contract: never writes through a link, never widens a mode.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export class UnsafeFileError extends Error {
  constructor(path: string, what: string) {
    super(
      `refusing ${path}: ${what}; baysync reads and writes only a regular file owned by root or the directory's owner. Check who made it (ls -la ${dirname(path)}) and remove it`,
    );
    this.name = 'UnsafeFileError';
  }
}

/** The file's content, or undefined when it does not exist. Throws for a link or a non-regular file. */
export function readNoFollow(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafeFileError(path, 'it is a symbolic link');
    throw e;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafeFileError(path, 'it is not a regular file');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Replace `path` whole; a new file gets `mode` and the directory owner's ownership. */
export function replaceOwnedFile(path: string, content: string, mode = 0o644): void {
  const dir = statSync(dirname(path));
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (st?.isSymbolicLink()) throw new UnsafeFileError(path, 'it is a symbolic link');
  if (st && !st.isFile()) throw new UnsafeFileError(path, 'it is not a regular file');
  if (st && st.uid !== 0 && st.uid !== dir.uid) throw new UnsafeFileError(path, `it is owned by uid ${st.uid}`);
  writeFileAtomic(path, content, {
    mode: st ? st.mode & 0o7777 : mode,
    owner: st ? { uid: st.uid, gid: st.gid } : { uid: dir.uid, gid: dir.gid },
  });
}
