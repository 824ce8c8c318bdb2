// The receiver's digest file: saved and loaded for the same geometry; a missing, damaged or
// foreign file gives an empty digest (everything compared again) and says why.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetDigest } from '../../src/copy/digest.js';
import { loadDigestFile, saveDigestFile } from '../../src/copy/digest-file.js';
import { sha256 } from '../../src/copy/frame.js';

const g = { volumeBytes: 10 * 65536, chunkBytes: 65536 };
const T = '/dev/vg1/copy';
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the digest file', () => {
  it('round-trips, mode 600', () => {
    dir = mkdtempSync(join(tmpdir(), 'digestfile-'));
    const f = join(dir, 'copy-digest.bin');
    const d = new TargetDigest(g, { target: T, completeAt: '2026-12-02T05:00:00.000Z' });
    d.set(3, sha256(Buffer.from('three')));
    saveDigestFile(f, d);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const back = loadDigestFile(f, g, T);
    expect(back.problem).toBeUndefined();
    expect(back.digest.known()).toBe(1);
    expect(back.digest.state.completeAt).toBe('2026-12-02T05:00:00.000Z');
  });

  it('missing: an empty digest without a problem; damaged, foreign or unreadable: an empty digest and why', () => {
    dir = mkdtempSync(join(tmpdir(), 'digestfile-'));
    const f = join(dir, 'copy-digest.bin');
    expect(loadDigestFile(f, g, T)).toEqual({ digest: expect.any(TargetDigest) });
    writeFileSync(f, 'garbage');
    expect(loadDigestFile(f, g, T).problem).toMatch(/not a baysync copy digest/);
    saveDigestFile(f, new TargetDigest({ ...g, chunkBytes: 131072 }));
    const other = loadDigestFile(f, g, T);
    expect(other.problem).toMatch(/in chunks of 131072/);
    expect(other.digest.known()).toBe(0);
    if (process.getuid?.() !== 0) {
      chmodSync(f, 0);
      expect(loadDigestFile(f, g, T).problem).toMatch(/EACCES/);
    }
  });

  it('a digest of another target is never used, even of the same size: copy_receive.target changed, every chunk is sent again', () => {
    dir = mkdtempSync(join(tmpdir(), 'digestfile-'));
    const f = join(dir, 'copy-digest.bin');
    const d = new TargetDigest(g, { target: '/dev/vg1/old', completeAt: '2026-12-02T05:00:00.000Z' });
    for (let i = 0; i < 10; i++) d.set(i, sha256(Buffer.from(`c${i}`)));
    saveDigestFile(f, d);
    const other = loadDigestFile(f, g, T);
    expect(other.problem).toMatch(/describes \/dev\/vg1\/old, not \/dev\/vg1\/copy/);
    expect(other.digest.known()).toBe(0);
    expect(other.digest.state).toEqual({ target: T });
    saveDigestFile(f, new TargetDigest(g));
    expect(loadDigestFile(f, g, T).problem).toMatch(/an unnamed target/);
  });
});
