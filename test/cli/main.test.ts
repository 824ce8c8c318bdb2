// The `baysync` command as the operator runs it (the built CLI, a real process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(process.cwd(), 'build/src/cli/main.js');
const baysync = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, BAYSYNC_CONFIG: '' } });

describe('baysync', () => {
  it('checks a config and says what it configures', () => {
    const r = baysync('-c', 'examples/baysync.toml', 'config', 'check');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/examples\/baysync\.toml: valid \(2 set\(s\): A, B/);
  });

  it('a bad config names the file and the key, and exits 1', () => {
    const r = baysync('-c', 'test/fixtures/no-such.toml', 'config', 'check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no-such.toml');
  });

  it('status without a daemon says so instead of hanging', () => {
    const r = baysync('-c', 'examples/baysync.toml', 'status');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/daemon|control\.sock/i);
  });

  it('a bad invocation exits 2, as documented', () => {
    expect(baysync('status', '--no-such-option').status).toBe(2);
    expect(baysync('no-such-command').status).toBe(2);
    expect(baysync('--help').status).toBe(0);
  });

  it('check: a usage error is UNKNOWN (3) on stdout, not WARNING', () => {
    const r = baysync('-c', 'examples/baysync.toml', 'check', '--no-such-option');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^BAYSYNC UNKNOWN - usage: unknown option '--no-such-option'\n$/);
  });

  it('check: a config error is UNKNOWN (3) with the whole reason on its one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baysync-check-'));
    const file = join(dir, 'bad.toml');
    const good = readFileSync('examples/baysync.toml', 'utf8');
    writeFileSync(file, good.replace(/^warn_after_days = .*$/m, 'warn_after_days = "soon"'));
    const r = baysync('-c', file, 'check');
    expect(r.status).toBe(3);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stdout).toMatch(/^BAYSYNC UNKNOWN - .*bad\.toml.*warn_after_days/);
  });

  it('the help speaks to an operator: no internal words (seed, issue) in any command help', () => {
    for (const cmd of [[], ['rotate'], ['sync'], ['failover'], ['notify'], ['check']]) {
      const r = baysync(...cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout, cmd.join(' ')).not.toMatch(/\bseed|\bissue \d/i);
    }
  });
});
