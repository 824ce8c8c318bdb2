// Persisted workflow state in /var/lib/baysync/state.json, written atomically (temp file,
// fsync, rename) before every next step. Contract: load() never throws for a missing file
// (fresh state); an unreadable file is moved aside as state.json.corrupt-<time> and reported,
// and a fresh state is used (BackupPC's own control file still carries the pause marker).
import { join } from 'node:path';
import { loadVersioned, saveJson } from '../util/json-store.js';
import { emptyState, type PersistedState } from '../rotation/types.js';
import { logger } from '../log.js';

export class StateStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = join(stateDir, 'state.json');
  }

  load(): PersistedState {
    return loadVersioned(this.file, emptyState, (err, movedTo) => logger().child({ mod: 'state' }).error({ err, movedTo }, 'state file unreadable; starting fresh'));
  }

  save(s: PersistedState): void {
    saveJson(this.file, s);
  }
}
