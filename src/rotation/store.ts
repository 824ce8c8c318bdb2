// The rotation's persisted record, /var/lib/baysync/state.json (jobs/store.ts): validated at
// load (record-schema.ts), written before every next step, the previous good copy kept beside
// it. When neither copy is usable the record starts fresh and the service repairs from what the
// system shows (repair.ts).
import { RecordStore } from '../jobs/store.js';
import { persistedStateSchema } from './record-schema.js';
import { emptyState, type PersistedState } from './types.js';

export class RotationStore extends RecordStore<PersistedState> {
  constructor(stateDir: string) {
    super(stateDir, 'state', { fresh: emptyState, schema: persistedStateSchema });
  }
}
