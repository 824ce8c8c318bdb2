// A job's persisted record in the state directory (state.json, realtime.json, failover.json, …):
// versioned JSON, validated by the job's schema, written atomically before the job goes on, the
// previous good copy kept beside it (util/json-store.ts). Contract: load() never throws; when the
// file was unusable it falls back to the previous copy, then to the fresh record, logs the
// problem as an error and keeps it in `problem` so that the job can repair from what the system
// shows and tell the operator; save() persists the whole record or throws, never a torn file.
import { logger } from '../log.js';
import { type PathDirs, recordPath } from '../paths.js';
import { type Loaded, loadRecord, type RecordSpec, saveRecord } from '../util/json-store.js';

export class RecordStore<T extends { version: number }> {
  readonly file: string;
  /** What the last load() found wrong with the file (undefined when it was fine or absent). */
  problem: string | undefined;

  constructor(
    stateDir: string,
    job: Parameters<typeof recordPath>[1],
    private readonly spec: RecordSpec<T>,
    private readonly mode = 0o600,
  ) {
    this.file = recordPath({ state_dir: stateDir } satisfies Pick<PathDirs, 'state_dir'>, job);
  }

  load(): T {
    return this.loadChecked().record;
  }

  loadChecked(): Loaded<T> {
    const l = loadRecord(this.file, this.spec);
    this.problem = l.problem;
    if (l.problem) logger().child({ mod: 'state' }).error({ file: this.file, source: l.source }, l.problem);
    return l;
  }

  save(record: T): void {
    saveRecord(this.file, record, this.mode);
  }
}
