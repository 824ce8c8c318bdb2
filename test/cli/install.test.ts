import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { install } from '../../src/cli/install.js';
import { parseConfigText } from '../../src/config/load.js';

describe('baysync install', () => {
  it('writes the units with the paths filled in and the udev rule with the stripe UUIDs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'inst-'));
    const cfg = parseConfigText('t', readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8'));
    const calls: string[][] = [];
    const res = await install({
      cfg,
      root,
      bin: '/usr/bin/baysync',
      runner: {
        run: async (a) => {
          calls.push(a);
          return { argv: a, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
        },
        spawnLongLived: () => {
          throw new Error('no');
        },
      },
      reload: false,
      configPath: '/etc/baysync/baysync.toml',
    });
    const unit = readFileSync(join(root, 'etc/systemd/system/baysync.service'), 'utf8');
    expect(unit).toContain('Type=notify');
    expect(unit).toContain('ExecStartPre=/usr/bin/baysync config check --quiet');
    expect(unit).toMatch(
      /ExecStart=\/usr\/bin\/env node --lite-mode --no-expose-wasm \/.*build\/src\/cli\/main\.js daemon/,
    );
    expect(unit).not.toContain('@');
    const hot = readFileSync(join(root, 'etc/systemd/system/baysync-hotplug@.service'), 'utf8');
    expect(hot).toContain('ExecStop=/usr/bin/baysync notify --action remove --kernel %i');
    const rule = readFileSync(join(root, 'etc/udev/rules.d/64-baysync.rules'), 'utf8');
    expect(rule).toContain('ENV{SYSTEMD_WANTS}+="baysync-hotplug@%k.service"');
    expect(rule).toContain('00000000:00000000:00000000:00000009');
    expect(res.mdadmConf).toHaveLength(3);
    expect(res.mdadmConf[2]).toMatch(/^PROGRAM \/usr\/lib\/baysync\/mdadm-event /);
    expect(res.written.some((w) => w.includes('baysync.toml (example'))).toBe(true);
    // It may hold the SMTP password: 0600 in a 0700 directory.
    expect(statSync(join(root, 'etc/baysync/baysync.toml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'etc/baysync')).mode & 0o777).toBe(0o700);
    expect(calls).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});
