// The package's metadata: the DEP-5 copyright names every bundled module with its own licence
// text, a module without a licence stops the build, Installed-Size and md5sums as dpkg wants.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyright, installedSizeKiB, md5sums } from '../../../scripts/package/debian-meta.js';

function modules(withLicence = true): string {
  const nm = mkdtempSync(join(tmpdir(), 'nm-'));
  for (const [dir, license] of [
    ['pino', 'MIT'],
    ['@pinojs/redact', 'MIT'],
    ['smol-toml', 'BSD-3-Clause'],
  ] as const) {
    mkdirSync(join(nm, dir), { recursive: true });
    writeFileSync(join(nm, dir, 'package.json'), JSON.stringify({ name: dir, license }));
    if (withLicence || dir !== 'smol-toml')
      writeFileSync(join(nm, dir, 'LICENSE'), `${license} License\n\nCopyright (c) 2020 ${dir} authors\n\nText.\n`);
  }
  return nm;
}

describe('copyright', () => {
  it('one Files paragraph per bundled module, each with its licence text in DEP-5 form', () => {
    const text = copyright(process.cwd(), modules());
    expect(text).toMatch(/^Format: https:\/\/www.debian.org\/doc\/packaging-manuals\/copyright-format\/1.0\//);
    expect(text).toContain('Files: *\nCopyright: 2026 baysync developers\nLicense: MIT\n MIT License\n .\n');
    expect(text).toContain(
      'Files: usr/lib/baysync/node_modules/@pinojs/redact/*\nCopyright: 2020 @pinojs/redact authors\nLicense: MIT\n',
    );
    expect(text).toContain(
      'Files: usr/lib/baysync/node_modules/smol-toml/*\nCopyright: 2020 smol-toml authors\nLicense: BSD-3-Clause\n',
    );
  });

  it('a module without a licence file stops the build', () => {
    expect(() => copyright(process.cwd(), modules(false))).toThrow(/smol-toml: no licence field or file/);
  });
});

describe('installedSizeKiB and md5sums', () => {
  it('count the staged tree but DEBIAN/', () => {
    const stage = mkdtempSync(join(tmpdir(), 'stage-'));
    mkdirSync(join(stage, 'DEBIAN'));
    writeFileSync(join(stage, 'DEBIAN/control'), 'x'.repeat(5000));
    mkdirSync(join(stage, 'usr/bin'), { recursive: true });
    writeFileSync(join(stage, 'usr/bin/a'), 'a');
    writeFileSync(join(stage, 'usr/bin/b'), 'b'.repeat(2049));
    expect(installedSizeKiB(stage)).toBe(2 + 1 + 3); // two directories, a (1 KiB), b (3 KiB)
    expect(md5sums(stage)).toMatch(/^0cc175b9c0f1b6a831c399e269772661 {2}usr\/bin\/a\n[0-9a-f]{32} {2}usr\/bin\/b\n$/);
  });
});
