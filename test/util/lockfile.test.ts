import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, processAlive, readHolder } from '../../src/util/lockfile.js';

describe('pid lock', () => {
  it('one holder at a time; a lock left by a dead process is taken over', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'lock-')), 'sync.lock');
    const first = acquireLock(p);
    expect(first.ok).toBe(true);
    expect(readHolder(p)).toBe(process.pid);
    writeFileSync(p, '1\n'); // pid 1 is alive: held
    expect(acquireLock(p)).toEqual({ ok: false, holder: 1 });
    writeFileSync(p, '999999999\n'); // no such process: stale
    expect(processAlive(999999999)).toBe(false);
    expect(acquireLock(p).ok).toBe(true);
  });
});
