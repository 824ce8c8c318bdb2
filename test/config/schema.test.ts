import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/schema.js';

const example = readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8');
const standby = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');

function problems(text: string): string[] {
  try {
    parseConfigText('/etc/baysync/baysync.toml', text);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config', () => {
  it('the shipped example is valid and gets defaults', () => {
    const c = parseConfigText('example', example);
    expect(c.sets.map((s) => s.name)).toEqual(['A', 'B']);
    expect(c.backuppc.control_include).toBe('/etc/backuppc/external-control.pl');
    expect(c.paths.state_dir).toBe('/var/lib/baysync');
    expect(c.sets[0]!.stripe_uuid).toBe('00000000000000000000000000000008');
  });

  it('a TOML syntax error names the file and the line', () => {
    try {
      parseConfigText('/etc/baysync/baysync.toml', '[storage\nx=1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(
        /^\/etc\/baysync\/baysync.toml: invalid configuration:\n {2}- line 1, column \d+: TOML syntax error/,
      );
      expect((e as Error).message).toContain('Nothing was changed');
    }
  });

  it('names the key path and what was expected', () => {
    const bad = example
      .replace('stripe_uuid = "00000000:00000000:00000000:00000008"', 'stripe_uuid = "md8"')
      .replace('port = 25', 'port = "smtp"');
    const p = problems(bad);
    expect(p).toContainEqual(expect.stringMatching(/^sets\[0\]\.stripe_uuid: an md UUID/));
    expect(p).toContainEqual(expect.stringMatching(/^mail\.smtp\.port: /));
  });

  it('rejects unknown keys (typos) instead of ignoring them', () => {
    expect(problems(example.replace('auto_start = true', 'autostart = true'))).toContainEqual(
      expect.stringMatching(/^policy: .*autostart/),
    );
  });

  it('rejects two sets sharing a stripe, a mirror or a name', () => {
    const dup = example.replace(
      'stripe_uuid = "00000000:00000000:00000000:00000009"',
      'stripe_uuid = "00000000:00000000:00000000:00000008"',
    );
    expect(problems(dup)).toContainEqual(
      expect.stringMatching(/sets\[1\]\.stripe_uuid: the same value is already used by sets\[0\]/),
    );
  });

  it('rejects a set whose mirror is the top mirror', () => {
    const bad = example.replace(
      'mirror_uuid = "00000000:00000000:00000000:00000005"',
      'mirror_uuid = "00000000:00000000:00000000:00000007"',
    );
    expect(problems(bad)).toContainEqual(expect.stringMatching(/equals storage.top_mirror_uuid/));
  });

  it('rejects set names that could reach a path', () => {
    expect(problems(example.replace('name = "A"', 'name = "../A"'))).toContainEqual(
      expect.stringMatching(/^sets\[0\]\.name: a short name/),
    );
  });

  it('a missing file says what to do', () => {
    expect(() => loadConfig('/nonexistent/baysync.toml')).toThrow(/file not found; copy .*examples\/baysync.toml/);
  });

  it('the shipped standby example is valid: no rotation, real-time pull and failover', () => {
    const c = parseConfigText('standby', standby);
    expect(c.sets).toEqual([]);
    expect(c.storage).toBeUndefined();
    expect(c.realtime).toMatchObject({ mode: 'pull', source: '/', destination: '/home', max_delete_percent: 10 });
    expect(c.failover).toMatchObject({
      fall: 4,
      rise: 2,
      interval_ms: 1000,
      lan: { peer: '192.168.1.2', interface: 'eth0' },
    });
  });

  it('standby mistakes are named with what to do', () => {
    expect(
      problems(standby.replace('ssh_key = "/etc/baysync/sync_ed25519"', 'ssh_key = "/etc/baysync/my key"')),
    ).toEqual(['realtime.remote.ssh_key: an absolute path without blanks']);
    const p = problems(
      standby.replace('interface = "eth1"', 'interface = "eth0"').replace('transport = "ssh"', 'transport = "rsyncd"'),
    );
    expect(p).toContain(
      'failover.segment.interface: equals failover.lan.interface; the two probes must use two networks',
    );
    expect(p).toContain('realtime.remote.module: required with transport = "rsyncd"');
  });

  it('a config with nothing to do, or sets without storage, is refused', () => {
    expect(problems('[mail]\nto = ["root"]\n')).toContain(
      '(top level): nothing to do; configure [storage] with [[sets]], [realtime], [failover], [copy] or [copy_receive]',
    );
    const noStorage = example.replace(/\[storage\][\s\S]*?(?=\n# Optional: the root mirror)/, '');
    expect(problems(noStorage)).toContain(
      'storage: missing; [[sets]] need the [storage] section (top_mirror_uuid, mountpoint)',
    );
  });
});

describe('SMTP secrets', () => {
  const smtp = (lines: string) => example.replace(/^\[mail\.smtp\][^[]*/m, `[mail.smtp]\nhost = "mx"\n${lines}\n\n`);
  it('a password is refused without TLS, and names both ways to get it', () => {
    expect(problems(smtp('user = "u"\npassword = "p"'))).toEqual([
      expect.stringMatching(/^mail\.smtp\.password: a password needs TLS; set secure = true .* or require_tls = true/),
    ]);
    expect(problems(smtp('user = "u"\npassword_file = "/etc/baysync/pw"'))).toHaveLength(1);
    expect(problems(smtp('user = "u"\npassword = "p"\nrequire_tls = true'))).toEqual([]);
    expect(problems(smtp('user = "u"\npassword_file = "/etc/baysync/pw"\nsecure = true'))).toEqual([]);
  });
  it('password and password_file are one or the other; a password needs a user', () => {
    expect(problems(smtp('user = "u"\nsecure = true\npassword = "p"\npassword_file = "/etc/baysync/pw"'))).toEqual([
      expect.stringContaining('password: set together with password_file'),
    ]);
    expect(problems(smtp('secure = true\npassword = "p"'))).toEqual([
      expect.stringContaining('mail.smtp.user: missing'),
    ]);
  });
});
