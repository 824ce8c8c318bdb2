import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { markPassed, runPlanned } from '../../src/jobs/executor.js';
import type { JobRecord } from '../../src/jobs/record.js';
import type { PlannedStep, Step } from '../../src/jobs/step.js';
import { run } from '../../src/system/op.js';
import { OpRunner, PlanDrift } from '../../src/system/op-runner.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

const log = pino({ level: 'silent' });
const runner = {
  run: async (argv: string[]) => ({ argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 }) as RunResult,
} as unknown as CommandRunner;
const rec = (): JobRecord<'run' | 'aborting', 'a' | 'b'> => ({
  id: 'j',
  phase: 'run',
  startedAt: 't',
  timeline: [],
  done: [],
  warnings: [],
});
const planned = (id: 'a' | 'b', argv = ['true']): PlannedStep<'a' | 'b', 'run' | 'aborting'> => ({
  id,
  phase: 'run',
  title: id,
  status: 'pending',
  ops: [run(argv, 1000)],
});

describe('runPlanned', () => {
  it('runs the step with its planned ops, marks it done and persists', async () => {
    const r = rec();
    let persisted = 0;
    const step = {
      run: async (_c: unknown, exec: (o: unknown) => Promise<unknown>, ops: unknown[]) => exec(ops[0]),
    } as unknown as Step<'a' | 'b', 'run' | 'aborting', never, unknown>;
    await runPlanned({
      record: r,
      planned: planned('a'),
      step,
      ctx: {},
      ops: new OpRunner(runner),
      io: { persist: () => persisted++, now: () => 't', log },
      abortPhase: 'aborting',
      beginAbort: () => expect.fail('no abort'),
    });
    expect(r.done).toEqual(['a']);
    expect(persisted).toBe(1);
  });

  it('a step that runs an operation its plan did not list aborts the job, and the operation never runs', async () => {
    const r = rec();
    const calls: string[] = [];
    const counting = {
      run: async (argv: string[]) => {
        calls.push(argv.join(' '));
        return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
      },
    } as unknown as CommandRunner;
    const step = {
      run: async (_c: unknown, exec: (o: unknown) => Promise<unknown>) => exec(run(['rm', '-rf', '/srv'], 1000)),
    } as unknown as Step<'a' | 'b', 'run' | 'aborting', never, unknown>;
    let reason = '';
    await runPlanned({
      record: r,
      planned: planned('a'),
      step,
      ctx: {},
      ops: new OpRunner(counting),
      io: { persist: () => undefined, now: () => 't', log },
      abortPhase: 'aborting',
      beginAbort: (why) => (reason = why),
    });
    expect(calls).toEqual([]);
    expect(reason).toMatch(new PlanDrift(run(['rm', '-rf', '/srv'], 1000)).message.slice(0, 40));
    expect(r.done).toEqual([]);
  });

  it('a step that resolves "again" is planned again', async () => {
    const r = rec();
    const step = { run: async () => 'again' } as unknown as Step<'a' | 'b', 'run' | 'aborting', never, unknown>;
    await runPlanned({
      record: r,
      planned: planned('b'),
      step,
      ctx: {},
      ops: new OpRunner(runner),
      io: { persist: () => undefined, now: () => 't', log },
      abortPhase: 'aborting',
      beginAbort: () => undefined,
    });
    expect(r.done).toEqual([]);
  });
});

describe('markPassed', () => {
  it('records as done the steps the plan shows done or skipped before the next one', () => {
    const r = rec();
    const steps = [{ ...planned('a'), status: 'skipped' as const }, planned('b')];
    const passed: string[] = [];
    markPassed(r, steps, steps[1]!, (id) => passed.push(id));
    expect(r.done).toEqual(['a']);
    expect(passed).toEqual(['a']);
  });
});
