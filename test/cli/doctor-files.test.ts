// doctor's check of the installed files: the package's unit, nothing in /etc shadowing it, no
// stale generated hotplug rule, and the stripe rule naming every set.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInstalledFiles } from '../../src/cli/doctor-files.js';
import { stripesRulePath } from '../../src/cli/install.js';
import { parseConfigText } from '../../src/config/load.js';

const cfg = parseConfigText('t', readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8'));
const pkg = {
  'usr/lib/systemd/system/baysync.service': '',
};
const reader = (files: Record<string, string>) => (rel: string) => files[rel];
const both = `ENV{MD_UUID}=="00000000:00000000:00000000:00000008"\nENV{MD_UUID}=="00000000:00000000:00000000:00000009"\n`;

describe('checkInstalledFiles', () => {
  it('all in place: every finding ok', () => {
    const f = checkInstalledFiles(cfg, reader({ ...pkg, [stripesRulePath]: both }));
    expect(f.every((x) => x.level === 'ok')).toBe(true);
    expect(f).toHaveLength(2);
  });

  it('a set missing from the stripe rule fails (invariant 2 at udev level), naming the set and the fix', () => {
    const f = checkInstalledFiles(cfg, reader({ ...pkg, [stripesRulePath]: both.split('\n')[0]! }));
    const bad = f.find((x) => x.level === 'fail');
    expect(bad?.detail).toMatch(/no line for set \w+$/);
    expect(bad?.fix).toBe('run `baysync install`');
    expect(checkInstalledFiles(cfg, reader(pkg)).find((x) => x.level === 'fail')?.detail).toBe('missing');
  });

  it("warns about a unit in /etc that shadows the package's, and a stale generated hotplug rule", () => {
    const f = checkInstalledFiles(
      cfg,
      reader({
        ...pkg,
        [stripesRulePath]: both,
        'etc/systemd/system/baysync.service': '',
        'etc/udev/rules.d/64-baysync.rules': '',
      }),
    );
    expect(f.filter((x) => x.level === 'warn').map((x) => x.check)).toEqual([
      'not shadowed: /etc/systemd/system/baysync.service',
      'no stale rule: /etc/udev/rules.d/64-baysync.rules',
    ]);
  });

  it('a missing package file fails with the reinstall fix', () => {
    const f = checkInstalledFiles(cfg, reader({ [stripesRulePath]: both }));
    expect(f.filter((x) => x.level === 'fail')).toHaveLength(1);
    expect(f[0]?.fix).toContain('apt install --reinstall baysync');
  });
});
