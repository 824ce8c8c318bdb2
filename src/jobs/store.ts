// A job's persisted record in the state directory (state.json, realtime.json, failover.json, …):
// versioned JSON written atomically (temp file, fsync, rename) before the job goes on. Contract:
// load() never throws: a missing file gives the fresh record; an unreadable one, or one of
// another version, is moved aside as <file>.corrupt-<time>, logged as an error, and the fresh
// record is used; save() persists the whole record or throws, never a torn file.
import { logger } from '../log.js';
import { type PathDirs, recordPath } from '../paths.js';
import { loadVersioned, saveJson } from '../util/json-store.js';

export class RecordStore<T extends { version: number }> {
  readonly file: string;

  constructor(
    stateDir: string,
    job: Parameters<typeof recordPath>[1],
    private readonly fresh: () => T,
    private readonly mode = 0o600,
  ) {
    this.file = recordPath({ state_dir: stateDir } satisfies Pick<PathDirs, 'state_dir'>, job);
  }

  load(): T {
    return loadVersioned(this.file, this.fresh, (err, movedTo) =>
      logger().child({ mod: 'state' }).error({ err, movedTo }, `${this.file} unreadable; moved aside, starting fresh`),
    );
  }

  save(record: T): void {
    saveJson(this.file, record, this.mode);
  }
}
