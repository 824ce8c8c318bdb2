import { execFileSync } from 'node:child_process';
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

  it('gives the mode asked whatever the umask (the daemon runs with UMask=0077)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const f = join(dir, 'baysync.prom');
    const old = process.umask(0o077);
    try {
      writeFileAtomic(f, 'x', 0o644);
    } finally {
      process.umask(old);
    }
    expect(statSync(f).mode & 0o777).toBe(0o644);
  });
});

describe('a write that cannot complete', () => {
  it.skipIf(process.getuid?.() !== 0)(
    'on a full filesystem throws, keeps the previous content whole and leaves no temp file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      try {
        const f = join(dir, 'state.json');
        writeFileAtomic(f, 'x'.repeat(20_000));
        expect(() => writeFileAtomic(f, 'y'.repeat(60_000))).toThrow(/ENOSPC|wrote/);
        expect(readFileSync(f, 'utf8')).toBe('x'.repeat(20_000));
        expect(readdirSync(dir)).toEqual(['state.json']);
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );
});
