import { describe, expect, it } from 'vitest';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';
import { SshAdapter, sshOptions } from '../../src/system/ssh.js';

describe('ssh with a forced-command key', () => {
  it('never asks, never trusts an unknown host key, uses only the given key', async () => {
    const t = {
      host: '10.77.0.1',
      user: 'root',
      key: '/etc/baysync/fence_key',
      knownHosts: '/etc/baysync/known_hosts',
      connectTimeoutSeconds: 5,
    };
    const opts = sshOptions(t);
    expect(opts).toEqual(
      expect.arrayContaining([
        'BatchMode=yes',
        'IdentitiesOnly=yes',
        'StrictHostKeyChecking=yes',
        'UserKnownHostsFile=/etc/baysync/known_hosts',
      ]),
    );
    let argv: string[] = [];
    const runner = {
      run: async (a: string[]) => {
        argv = a;
        return { argv: a, exitCode: 0, stdout: '', stderr: '', durationMs: 0 } as RunResult;
      },
    } as unknown as CommandRunner;
    await new SshAdapter(runner).runForced(t, 1000);
    // No remote command: the key's forced command is the only thing that runs.
    expect(argv.at(-1)).toBe('root@10.77.0.1');
  });
});
