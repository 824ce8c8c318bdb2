import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { file, run, write } from '../../src/system/op.js';
import { OpRunner, PlanDrift } from '../../src/system/op-runner.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

function recorder(exitCode = 0): { runner: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const runner = {
    run: async (argv: string[], o: { allowFailure?: boolean } = {}) => {
      calls.push(argv);
      if (exitCode && !o.allowFailure) throw new Error(`exit ${exitCode}`);
      return { argv, exitCode, stdout: '', stderr: 'refused', durationMs: 0 } as RunResult;
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

describe('OpRunner.exec', () => {
  it('after a stop, returns only once the kernel has removed the array (awaitGone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gone-'));
    const md8 = join(dir, 'block/md8');
    mkdirSync(md8, { recursive: true });
    const { runner } = recorder();
    let gone = false;
    setTimeout(() => {
      rmSync(md8, { recursive: true });
      gone = true;
    }, 200);
    await new OpRunner(runner).exec(run(['mdadm', '--stop', '/dev/md8'], 1000, { awaitGone: md8 }));
    expect(gone).toBe(true);
  });
});

describe('OpRunner.forStep (the plan is what runs)', () => {
  it('runs a planned operation and refuses any other, running nothing', async () => {
    const { runner, calls } = recorder();
    const planned = [run(['mdadm', '--stop', '/dev/md8'], 1000)];
    const exec = new OpRunner(runner).forStep(planned);
    await exec(planned[0]!);
    await expect(exec(run(['mdadm', '--stop', '/dev/md5'], 1000))).rejects.toBeInstanceOf(PlanDrift);
    // The same argv built again is the same operation.
    await exec(run(['mdadm', '--stop', '/dev/md8'], 1000));
    expect(calls).toEqual([
      ['mdadm', '--stop', '/dev/md8'],
      ['mdadm', '--stop', '/dev/md8'],
    ]);
  });

  it('a mayFail operation returns its exit code; any other failure throws', async () => {
    const { runner } = recorder(1);
    const ok = run(['mdadm', '/dev/md5', '--re-add', '/dev/md8'], 1000, { mayFail: true });
    const strict = run(['mdadm', '/dev/md5', '--add', '/dev/md8'], 1000);
    const exec = new OpRunner(runner).forStep([ok, strict]);
    expect((await exec(ok)).exitCode).toBe(1);
    await expect(exec(strict)).rejects.toThrow('exit 1');
  });

  it('writes sysfs attributes and whole files through the given writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-'));
    const attr = join(dir, 'time_base');
    writeFileSync(attr, '5');
    const written: string[] = [];
    const r = new OpRunner(recorder().runner, (p, c) => written.push(`${p}=${c}`));
    await r.exec(write(attr, '1'));
    await r.exec(file('/etc/backuppc/x.pl', '$Conf{BackupsDisable} = 0;\n'));
    expect(readFileSync(attr, 'utf8')).toBe('1');
    expect(written).toEqual(['/etc/backuppc/x.pl=$Conf{BackupsDisable} = 0;\n']);
    expect((await r.exec(write(join(dir, 'missing', 'x'), '1', { mayFail: true }))).exitCode).toBe(1);
  });
});
