// The rotation's persisted record, /var/lib/baysync/state.json, written atomically (temp file,
// fsync, rename) before every next step. Contract: load() never throws for a missing file
// (fresh state); an unreadable file is moved aside as state.json.corrupt-<time> and reported,
// and a fresh state is used (BackupPC's own control file still carries the pause marker).

import { logger } from '../log.js';
import { recordPath } from '../paths.js';
import { loadVersioned, saveJson } from '../util/json-store.js';
import { emptyState, type PersistedState } from './types.js';

export class RotationStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = recordPath({ state_dir: stateDir }, 'state');
  }

  load(): PersistedState {
    return loadVersioned(this.file, emptyState, (err, movedTo) =>
      logger().child({ mod: 'state' }).error({ err, movedTo }, 'state file unreadable; starting fresh'),
    );
  }

  save(s: PersistedState): void {
    saveJson(this.file, s);
  }
}
