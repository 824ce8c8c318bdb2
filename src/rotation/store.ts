// The rotation's persisted record, /var/lib/baysync/state.json (jobs/store.ts): written before
// every next step. A lost or unreadable file gives a fresh state; BackupPC's own control file
// still carries the pause marker, which the service repairs at start.
import { RecordStore } from '../jobs/store.js';
import { emptyState, type PersistedState } from './types.js';

export class RotationStore extends RecordStore<PersistedState> {
  constructor(stateDir: string) {
    super(stateDir, 'state', emptyState);
  }
}
