import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordStore } from '../../src/jobs/store.js';

const fresh = () => ({ version: 1 as const, n: 0 });

describe('RecordStore', () => {
  it('a missing file is the fresh record; a saved one comes back, mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const s = new RecordStore(dir, 'state', fresh);
    expect(s.load()).toEqual({ version: 1, n: 0 });
    s.save({ version: 1, n: 5 });
    expect(new RecordStore(dir, 'state', fresh).load()).toEqual({ version: 1, n: 5 });
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
  });

  it('an unreadable or foreign record is moved aside, and the fresh one used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const s = new RecordStore(dir, 'realtime', fresh);
    writeFileSync(s.file, '{"version": 7}');
    expect(s.load()).toEqual({ version: 1, n: 0 });
    expect(existsSync(s.file)).toBe(false);
    expect(readdirSync(dir).some((n) => n.startsWith('realtime.json.corrupt-'))).toBe(true);
  });
});
