import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logger } from '../../../src/log.js';
import type { RunCtx } from '../../../src/rotation/steps/context.js';
import { runFailAndRemove } from '../../../src/rotation/steps/fail-remove.js';
import { MdAdapter } from '../../../src/system/md.js';
import { mdOps } from '../../../src/system/md-ops.js';
import { OpRunner } from '../../../src/system/op-runner.js';
import type { CommandRunner, RunResult } from '../../../src/system/runner.js';

function scripted(fail: (argv: string[]) => boolean): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner = {
    run: async (argv: string[], o: { allowFailure?: boolean } = {}) => {
      calls.push(argv.join(' '));
      const exitCode = fail(argv) ? 1 : 0;
      if (exitCode && !o.allowFailure) throw new Error(`exit ${exitCode}`);
      return { argv, exitCode, stdout: '', stderr: '', durationMs: 0 } as RunResult;
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

function run(sys: string, runner: CommandRunner, devs: string[]): Promise<void> {
  const ops = mdOps.failAndRemove('md1', devs);
  const c = { a: { md: new MdAdapter(runner, sys) }, log: logger() } as unknown as RunCtx;
  return runFailAndRemove(c, new OpRunner(runner).forStep(ops), ops, 'md1');
}

describe('runFailAndRemove', () => {
  it('fails and removes several members in one mdadm call', async () => {
    const { runner, calls } = scripted(() => false);
    await run('/nonexistent', runner, ['sde1', 'sdf1']);
    expect(calls).toEqual(['mdadm /dev/md1 --fail /dev/sde1 --remove /dev/sde1 --fail /dev/sdf1 --remove /dev/sdf1']);
  });

  it('when the combined call fails, does the members still listed one by one', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'md-'));
    mkdirSync(join(sys, 'block/md1/md/dev-sdf1'), { recursive: true });
    writeFileSync(join(sys, 'block/md1/md/array_state'), 'clean\n');
    writeFileSync(join(sys, 'block/md1/md/dev-sdf1/state'), 'in_sync\n');
    const { runner, calls } = scripted((a) => a.length > 4);
    await run(sys, runner, ['sde1', 'sdf1']);
    expect(calls.slice(1)).toEqual(['mdadm /dev/md1 --fail /dev/sdf1', 'mdadm /dev/md1 --remove /dev/sdf1']);
  });
});
