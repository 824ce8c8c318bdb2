import { describe, expect, it } from 'vitest';
import { emptyState, normalPhases } from '../../src/rotation/types.js';

describe('rotation types', () => {
  it('a fresh state is version 1 with nothing recorded; the normal phases end in done', () => {
    expect(emptyState()).toEqual({ version: 1, lastBySet: {}, history: [], waiting: [] });
    expect(normalPhases.at(-1)).toBe('done');
    expect(JSON.parse(JSON.stringify(emptyState()))).toEqual(emptyState());
  });
});
