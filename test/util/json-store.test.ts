import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVersioned, saveJson } from '../../src/util/json-store.js';

describe('versioned JSON', () => {
  it('merges a saved record over the fresh defaults; a torn one is moved aside and reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-'));
    const f = join(dir, 'r.json');
    saveJson(f, { version: 1, a: 2 });
    expect(loadVersioned(f, () => ({ version: 1, a: 0, b: 3 }))).toEqual({ version: 1, a: 2, b: 3 });
    writeFileSync(f, '{"version": 1, "a":');
    const seen: string[] = [];
    expect(
      loadVersioned(
        f,
        () => ({ version: 1, a: 0 }),
        (err) => seen.push(err),
      ),
    ).toEqual({ version: 1, a: 0 });
    expect(seen).toHaveLength(1);
    expect(readdirSync(dir).some((n) => n.startsWith('r.json.corrupt-'))).toBe(true);
  });
});
