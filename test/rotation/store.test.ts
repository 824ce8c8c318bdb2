import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotationStore } from '../../src/rotation/store.js';
import { emptyState } from '../../src/rotation/types.js';

describe('RotationStore', () => {
  it('state.json in the state directory, fresh when missing, atomic on save', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rot-'));
    const s = new RotationStore(dir);
    expect(s.file).toBe(join(dir, 'state.json'));
    expect(s.load()).toEqual(emptyState());
    const st = emptyState();
    st.waiting = ['B'];
    s.save(st);
    expect(new RotationStore(dir).load().waiting).toEqual(['B']);
  });
});
