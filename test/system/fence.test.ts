// The fence command runs as argv (never a shell), may fail without throwing, and has a deadline.
import { describe, expect, it } from 'vitest';
import { FenceAdapter } from '../../src/system/fence.js';
import type { CommandRunner, RunOptions } from '../../src/system/runner.js';

describe('FenceAdapter', () => {
  it('runs the configured argv as given, with allowFailure and a timeout, and returns its result', async () => {
    const seen: Array<{ argv: string[]; opts?: RunOptions }> = [];
    const runner = {
      run: async (argv: string[], opts?: RunOptions) => {
        seen.push({ argv, opts });
        return {
          argv,
          exitCode: 1,
          stdout: '',
          stderr: 'Error: Unable to establish IPMI v2 / RMCP+ session',
          durationMs: 5,
        };
      },
      spawnLongLived: () => {
        throw new Error('no');
      },
    } as unknown as CommandRunner;
    const argv = ['ipmitool', '-I', 'lanplus', '-H', 'bmc-a; rm -rf /', 'chassis', 'power', 'off'];
    const r = await new FenceAdapter(runner).run(argv, 5000);
    expect(r.exitCode).toBe(1);
    expect(seen).toEqual([{ argv, opts: { allowFailure: true, timeoutMs: 5000 } }]);
  });
});
