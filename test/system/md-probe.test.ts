import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nestedDataOffset, readSuperblock } from '../../src/system/md-probe.js';
import { mdV1Magic } from '../../src/system/parsers/md-superblock.js';

describe('md-probe (read-only superblock reads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  it('no superblock: undefined; a node that cannot be opened: ask mdadm', async () => {
    writeFileSync(join(dir, 'blank'), Buffer.alloc(1 << 16));
    expect(await readSuperblock(join(dir, 'blank'), 1 << 16)).toBeUndefined();
    expect(await readSuperblock(join(dir, 'missing'), 1 << 16)).toBe('examine');
  });
  it('a superblock at the end (0.90/1.0) is left to mdadm; no layer found adds no offset', async () => {
    const buf = Buffer.alloc(1 << 16);
    buf.writeUInt32LE(mdV1Magic, (1 << 16) - 8192);
    writeFileSync(join(dir, 'end'), buf);
    expect(await readSuperblock(join(dir, 'end'), 1 << 16)).toBe('examine');
    expect(await nestedDataOffset(join(dir, 'blank'), ['00000000000000000000000000000001'])).toBe(0);
  });
});
