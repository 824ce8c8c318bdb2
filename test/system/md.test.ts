import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MdAdapter } from '../../src/system/md.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

function scripted(fail: (argv: string[]) => boolean): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner = {
    run: async (argv: string[]) => {
      calls.push(argv.join(' '));
      return { exitCode: fail(argv) ? 1 : 0, stdout: '', stderr: '' } as RunResult;
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

describe('MdAdapter.failAndRemove', () => {
  it('fails and removes several members in one mdadm call', async () => {
    const { runner, calls } = scripted(() => false);
    await new MdAdapter(runner, '/nonexistent').failAndRemove('md1', ['sde1', 'sdf1']);
    expect(calls).toEqual(['mdadm /dev/md1 --fail /dev/sde1 --remove /dev/sde1 --fail /dev/sdf1 --remove /dev/sdf1']);
  });

  it('when the combined call fails, does the members still listed one by one', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'md-'));
    mkdirSync(join(sys, 'block/md1/md/dev-sdf1'), { recursive: true });
    writeFileSync(join(sys, 'block/md1/md/array_state'), 'clean\n');
    writeFileSync(join(sys, 'block/md1/md/dev-sdf1/state'), 'in_sync\n');
    const { runner, calls } = scripted((a) => a.length > 4);
    await new MdAdapter(runner, sys).failAndRemove('md1', ['sde1', 'sdf1']);
    expect(calls.slice(1)).toEqual(['mdadm /dev/md1 --fail /dev/sdf1', 'mdadm /dev/md1 --remove /dev/sdf1']);
  });
});
