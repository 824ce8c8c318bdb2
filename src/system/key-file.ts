// A shared secret key on disk (the snapshot copy's TCP transport). Contract: the key is the
// file's bytes, at least 32 of them; a file that others may read, that is a symlink, or that is
// too short is refused with the fix, so that a weak or exposed key is never used.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

export function readSharedKey(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new Error(
      `cannot open the shared key ${path} (${(e as NodeJS.ErrnoException).code}); create it: head -c 32 /dev/urandom > ${path}; chmod 600 ${path}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`the shared key ${path} is not a regular file`);
    if (st.mode & 0o077)
      throw new Error(
        `the shared key ${path} may be read by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 ${path}`,
      );
    const key = readFileSync(fd);
    if (key.length < 32)
      throw new Error(
        `the shared key ${path} has ${key.length} bytes, fewer than 32: head -c 32 /dev/urandom > ${path}`,
      );
    return key;
  } finally {
    closeSync(fd);
  }
}
