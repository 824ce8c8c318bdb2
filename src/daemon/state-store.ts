// Persisted workflow state in /var/lib/baysync/state.json, written atomically (temp file,
// fsync, rename) before every next step. Contract: load() never throws for a missing file
// (fresh state); an unreadable file is moved aside as state.json.corrupt-<time> and reported,
// and a fresh state is used (BackupPC's own control file still carries the pause marker).
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { emptyState, type PersistedState } from '../rotation/types.js';
import { logger } from '../log.js';

export class StateStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = join(stateDir, 'state.json');
  }

  load(): PersistedState {
    if (!existsSync(this.file)) return emptyState();
    try {
      const s = JSON.parse(readFileSync(this.file, 'utf8')) as PersistedState;
      if (s.version !== 1) throw new Error(`unknown state version ${String(s.version)}`);
      return { ...emptyState(), ...s };
    } catch (e) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      renameSync(this.file, aside);
      logger().child({ mod: 'state' }).error({ err: String(e), movedTo: aside }, 'state file unreadable; starting fresh');
      return emptyState();
    }
  }

  save(s: PersistedState): void {
    writeFileAtomic(this.file, `${JSON.stringify(s, null, 2)}\n`);
  }
}
