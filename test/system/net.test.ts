import { describe, expect, it } from 'vitest';
import { NetAdapter } from '../../src/system/net.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

function recorder(stdout = '[]', exitCode = 0): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner = {
    run: async (argv: string[]) => {
      calls.push(argv.join(' '));
      return { argv, exitCode, stdout, stderr: '', durationMs: 0 } as RunResult;
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

describe('NetAdapter', () => {
  it('pings through the named interface, once, with the timeout in seconds', async () => {
    const { runner, calls } = recorder('', 1);
    const res = await new NetAdapter(runner).ping('eth1', '10.77.0.1', 800);
    expect(calls).toEqual(['ping -n -c 1 -W 0.8 -I eth1 10.77.0.1']);
    expect(res.ok).toBe(false);
  });

  it('adds an address only when it is not there yet', async () => {
    const { runner, calls } = recorder(
      '[{"ifname":"eth0","operstate":"UP","addr_info":[{"family":"inet","local":"192.168.1.10","prefixlen":24}]}]',
    );
    await new NetAdapter(runner).addAddress('eth0', '192.168.1.10/24');
    expect(calls).toEqual(['ip -j addr show dev eth0']);
  });
});
