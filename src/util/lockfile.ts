// A pid lock file (O_EXCL create). Contract: acquire() returns a release function, or the pid
// of a live holder; a lock left by a dead process is taken over. Used so that two sync runs
// never overlap, whether started by the timer, by hand, or by the push watcher.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type LockResult = { ok: true; release: () => void } | { ok: false; holder: number };

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(path: string): LockResult {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { ok: true, release: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(path);
      if (holder !== undefined && holder !== process.pid && processAlive(holder)) return { ok: false, holder };
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  return { ok: false, holder: readHolder(path) ?? 0 };
}

export function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process's command line (its argv), read from /proc; undefined when it is gone. */
export function processArgv(pid: number, proc = '/proc'): string[] | undefined {
  try {
    return readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}
