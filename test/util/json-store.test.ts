import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadRecord, previousPath, type RecordSpec, saveRecord } from '../../src/util/json-store.js';

interface R {
  version: 2;
  items: string[];
  note?: string;
}
const spec: RecordSpec<R> = {
  fresh: () => ({ version: 2, items: [] }),
  schema: z.looseObject({ version: z.literal(2), items: z.array(z.string()) }) as unknown as z.ZodType<R>,
  migrations: { 1: (o) => ({ ...o, items: o.list ?? [] }) },
};
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'json-'));
  return { dir, f: join(dir, 'r.json') };
};

describe('versioned JSON records', () => {
  it('reads back what was saved, unknown fields included; a missing file gives the fresh record', () => {
    const { f } = fresh();
    expect(loadRecord(f, spec)).toEqual({ record: { version: 2, items: [] }, source: 'fresh' });
    saveRecord(f, { version: 2, items: ['a'], later: 1 });
    expect(loadRecord(f, spec)).toEqual({ record: { version: 2, items: ['a'], later: 1 }, source: 'file' });
  });

  it('keeps the previous good copy and falls back to it when the file is torn; the torn file is kept aside', () => {
    const { dir, f } = fresh();
    saveRecord(f, { version: 2, items: ['a'] });
    saveRecord(f, { version: 2, items: ['a', 'b'] });
    expect(JSON.parse(readFileSync(previousPath(f), 'utf8')).items).toEqual(['a']);
    writeFileSync(f, '{"version": 2, "items": ["a", "b"');
    const l = loadRecord(f, spec, 42);
    expect(l.source).toBe('previous');
    expect(l.record.items).toEqual(['a']);
    expect(l.problem).toMatch(
      /r\.json was unusable \(.*JSON.*\); moved aside to .*r\.json\.corrupt-42; using the previous good copy/,
    );
    expect(readdirSync(dir)).toContain('r.json.corrupt-42');
  });

  it('refuses a field of the wrong type (history: null) like a torn file, naming the field', () => {
    const { f } = fresh();
    writeFileSync(f, JSON.stringify({ version: 2, items: null }));
    const l = loadRecord(f, spec);
    expect(l.source).toBe('fresh');
    expect(l.problem).toMatch(/field items: .*; starting from a fresh record/);
  });

  it('migrates an older version step by step, and refuses a newer one (a downgrade) without reading it', () => {
    const { f } = fresh();
    writeFileSync(f, JSON.stringify({ version: 1, list: ['x'] }));
    expect(loadRecord(f, spec).record).toEqual({ version: 2, list: ['x'], items: ['x'] });
    writeFileSync(f, JSON.stringify({ version: 3, items: ['y'] }));
    expect(loadRecord(f, spec).problem).toMatch(/version 3 was written by a newer baysync \(this one reads up to 2\)/);
    writeFileSync(f, JSON.stringify({ version: 0, items: [] }));
    expect(loadRecord(f, spec).problem).toMatch(/unknown version 0/);
  });

  it('a deleted file with its previous copy present is a problem, not a first start', () => {
    const { f } = fresh();
    saveRecord(f, { version: 2, items: ['a'] });
    saveRecord(f, { version: 2, items: ['b'] });
    rmSync(f);
    const l = loadRecord(f, spec);
    expect(l).toMatchObject({ source: 'previous', record: { items: ['a'] } });
    expect(l.problem).toMatch(/r\.json is missing; using the previous good copy/);
  });

  it('both copies unusable: the fresh record, and a problem that says so', () => {
    const { f } = fresh();
    saveRecord(f, { version: 2, items: ['a'] });
    saveRecord(f, { version: 2, items: ['b'] });
    writeFileSync(f, 'garbage');
    writeFileSync(previousPath(f), '[]');
    const l = loadRecord(f, spec);
    expect(l.source).toBe('fresh');
    expect(l.problem).toMatch(/previous copy .* is unusable too \(not a JSON object\); starting from a fresh record/);
  });
});
