// Versioned JSON records on disk (state.json, realtime.json, failover.json). Contract:
// loadVersioned() never throws: a missing file gives the fresh record; an unreadable one, or
// one of another version, is moved aside as <file>.corrupt-<time> (reported through
// onCorrupt) and the fresh record is used; known fields are merged over the fresh defaults.
// saveJson() writes atomically (atomic-file.ts).
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

export function loadVersioned<T extends { version: number }>(
  file: string,
  fresh: () => T,
  onCorrupt?: (err: string, movedTo: string) => void,
): T {
  if (!existsSync(file)) return fresh();
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as T;
    const f = fresh();
    if (s.version !== f.version) throw new Error(`unknown version ${String(s.version)}`);
    return { ...f, ...s };
  } catch (e) {
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    onCorrupt?.(String(e), aside);
    return fresh();
  }
}

export function saveJson(file: string, data: unknown, mode = 0o600): void {
  writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, mode);
}
