import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecordStore } from '../../src/jobs/store.js';

const spec = {
  fresh: () => ({ version: 1 as const, n: 0 }),
  schema: z.object({ version: z.literal(1), n: z.number() }),
};

describe('RecordStore', () => {
  it('a missing file is the fresh record; a saved one comes back, mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const s = new RecordStore(dir, 'state', spec);
    expect(s.load()).toEqual({ version: 1, n: 0 });
    s.save({ version: 1, n: 5 });
    expect(new RecordStore(dir, 'state', spec).load()).toEqual({ version: 1, n: 5 });
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
  });

  it('an unreadable or foreign record is moved aside, and the fresh one used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const s = new RecordStore(dir, 'realtime', spec);
    writeFileSync(s.file, '{"version": 7}');
    expect(s.load()).toEqual({ version: 1, n: 0 });
    expect(existsSync(s.file)).toBe(false);
    expect(readdirSync(dir).some((n) => n.startsWith('realtime.json.corrupt-'))).toBe(true);
    expect(s.problem).toMatch(/version 7 was written by a newer baysync/);
  });

  it('a record that fails its schema is refused, and the previous good copy used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const s = new RecordStore(dir, 'state', spec);
    s.save({ version: 1, n: 1 });
    s.save({ version: 1, n: 2 });
    writeFileSync(s.file, '{"version": 1, "n": null}');
    expect(s.load()).toEqual({ version: 1, n: 1 });
    expect(s.problem).toMatch(/field n: .*; using the previous good copy/);
  });
});
