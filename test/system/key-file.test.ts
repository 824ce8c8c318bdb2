// The shared key on disk: its bytes, 32 or more, in a file nobody else may read; a symlink, a
// short key or a loose mode is refused with the fix.
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSharedKey } from '../../src/system/key-file.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readSharedKey', () => {
  it('reads a 600 file of 32 bytes or more, and refuses a short, loose, linked or missing one', () => {
    dir = mkdtempSync(join(tmpdir(), 'key-'));
    const f = join(dir, 'copy.key');
    writeFileSync(f, Buffer.alloc(32, 1), { mode: 0o600 });
    expect(readSharedKey(f)).toEqual(Buffer.alloc(32, 1));
    chmodSync(f, 0o640);
    expect(() => readSharedKey(f)).toThrow(/may be read by others \(mode 640\); chmod 600/);
    chmodSync(f, 0o600);
    writeFileSync(f, Buffer.alloc(16, 1));
    expect(() => readSharedKey(f)).toThrow(/has 16 bytes, fewer than 32/);
    writeFileSync(f, Buffer.alloc(32, 1));
    symlinkSync(f, join(dir, 'link'));
    expect(() => readSharedKey(join(dir, 'link'))).toThrow(/cannot open the shared key .*ELOOP/);
    expect(() => readSharedKey(join(dir, 'none'))).toThrow(/ENOENT.*head -c 32 \/dev\/urandom/);
  });
});
