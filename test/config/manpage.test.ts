import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyDocs, sectionDocs } from '../../src/config/key-docs.js';
import { configSections, renderConfigManPage, wrapRoff } from '../../src/config/manpage.js';
import { version } from '../../src/version.js';

describe('baysync.toml(5), generated from the schema', () => {
  it('every key the schema accepts has its description, and every description names a key', () => {
    const sections = configSections();
    const ids = sections.flatMap((s) => s.keys.map((k) => k.id));
    expect(ids.length).toBeGreaterThan(80);
    expect(ids.filter((id) => !keyDocs[id]?.trim())).toEqual([]);
    expect(Object.keys(keyDocs).filter((id) => !ids.includes(id))).toEqual([]);
    expect(sections.map((s) => s.name).filter((n) => !sectionDocs[n])).toEqual([]);
  });

  it('the shipped page is what the schema makes (run `npm run man` after a schema change)', () => {
    expect(readFileSync('man/baysync.toml.5', 'utf8')).toBe(renderConfigManPage(version));
  });

  it('types, limits and defaults come from the schema', () => {
    const page = renderConfigManPage(version);
    expect(page).toContain('.B verify_block_share\n(number, 1 to 100; default 100)');
    expect(page).toContain('.B freeze\n(one of "fsfreeze", "remount\\-ro"; default "fsfreeze")');
    expect(page).toContain('.SH [[sets]]');
    expect(page).toContain('.B stripe_uuid\n(string; required)');
  });

  it('text lines fit 80 bytes (mandoc -Tlint), and a wrapped line never starts a request', () => {
    const page = renderConfigManPage(version);
    expect(page.split('\n').filter((l) => !l.startsWith('.') && Buffer.byteLength(l) > 80)).toEqual([]);
    expect(wrapRoff(`${'word '.repeat(16)}.dot and 'quote`, 80)).toEqual([
      'word '.repeat(16).trim(),
      "\\&.dot and 'quote",
    ]);
  });
});
