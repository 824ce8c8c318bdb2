// The `baysync` command as the operator runs it (the built CLI, a real process).
import { spawnSync } from 'node:child_process';
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
});
