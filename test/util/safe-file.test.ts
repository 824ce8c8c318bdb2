// Invariant 11: files root writes in a directory another user owns (BackupPC's /etc/backuppc)
// are never read or written through a link, never through a planted temp file, and keep their mode.
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNoFollow, replaceOwnedFile, UnsafeFileError } from '../../src/util/safe-file.js';

const root = process.getuid?.() === 0;
function dirs() {
  const base = mkdtempSync(join(tmpdir(), 'safe-'));
  const etc = join(base, 'etc-backuppc');
  mkdirSync(etc);
  const victim = join(base, 'shadow');
  writeFileSync(victim, 'root:secret\n', { mode: 0o600 });
  return { etc, victim, inc: join(etc, 'external-control.pl') };
}

describe('invariant 11: the BackupPC include is never read or written through a link', () => {
  it('a symlink in place of the include is refused for reading and writing; its target is untouched', () => {
    const { inc, victim } = dirs();
    symlinkSync(victim, inc);
    expect(() => readNoFollow(inc)).toThrow(UnsafeFileError);
    expect(() => replaceOwnedFile(inc, '$Conf{BackupsDisable} = 2;\n')).toThrow(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('root:secret\n');
    expect(lstatSync(inc).isSymbolicLink()).toBe(true);
  });

  it('a symlink planted at the temp name the old writer used is not followed', () => {
    const { etc, inc, victim } = dirs();
    writeFileSync(inc, 'old\n', { mode: 0o640 });
    symlinkSync(victim, join(etc, `.external-control.pl.${process.pid}.tmp`));
    replaceOwnedFile(inc, 'new\n');
    expect(readFileSync(victim, 'utf8')).toBe('root:secret\n');
    expect(readFileSync(inc, 'utf8')).toBe('new\n');
    expect(statSync(inc).mode & 0o7777).toBe(0o640); // the original mode is kept, not widened
    expect(readdirSync(etc).filter((n) => n.endsWith('.tmp') && !lstatSync(join(etc, n)).isSymbolicLink())).toEqual([]);
  });

  it('a directory in place of the include, or a missing one, are handled', () => {
    const { inc } = dirs();
    expect(readNoFollow(inc)).toBeUndefined();
    mkdirSync(inc);
    expect(() => replaceOwnedFile(inc, 'x')).toThrow(/not a regular file/);
  });

  it.skipIf(!root)('a file owned by another user than root or the directory owner is refused; owners are kept', () => {
    const { etc, inc } = dirs();
    chownSync(etc, 4242, 4242); // the backuppc user owns the directory
    writeFileSync(inc, 'old\n');
    chownSync(inc, 4242, 4242);
    replaceOwnedFile(inc, 'new\n');
    expect([statSync(inc).uid, statSync(inc).gid]).toEqual([4242, 4242]);
    chownSync(inc, 5555, 5555);
    expect(() => replaceOwnedFile(inc, 'x')).toThrow(/owned by uid 5555/);
    expect(existsSync(inc)).toBe(true);
  });
});
