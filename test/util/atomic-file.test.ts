import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic-file.js';

describe('writeFileAtomic', () => {
  it('replaces the file whole, with the mode asked, leaving no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const f = join(dir, 'state.json');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two', 0o640);
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(statSync(f).mode & 0o777).toBe(0o640);
  });
});
