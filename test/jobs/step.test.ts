import { describe, expect, it } from 'vitest';
import { firstOpen, planSteps, type Step } from '../../src/jobs/step.js';
import { run } from '../../src/system/op.js';

type S = Step<'a' | 'b' | 'c', 'one' | 'two', { done: string[]; skipB: boolean }, never>;
const step = (id: 'a' | 'b' | 'c', phase: 'one' | 'two', extra: Partial<S> = {}): S => ({
  id,
  phase,
  title: () => `step ${id}`,
  status: (c) => ({ status: c.done.includes(id) ? 'done' : 'pending' }),
  ops: () => [run(['true', id], 1000)],
  run: async () => undefined,
  ...extra,
});

describe('planSteps', () => {
  it('lists the steps that apply, with their status and exact operations', () => {
    const steps = [step('a', 'one'), step('b', 'one', { applies: (c) => !c.skipB }), step('c', 'two')];
    const plan = planSteps(steps, { done: ['a'], skipB: true });
    expect(plan).toEqual([
      {
        id: 'a',
        phase: 'one',
        title: 'step a',
        status: 'done',
        ops: [{ kind: 'run', argv: ['true', 'a'], timeoutMs: 1000 }],
      },
      {
        id: 'c',
        phase: 'two',
        title: 'step c',
        status: 'pending',
        ops: [{ kind: 'run', argv: ['true', 'c'], timeoutMs: 1000 }],
      },
    ]);
    expect(firstOpen(plan)?.id).toBe('c');
  });

  it('a waiting step is the open one too; skipped and deferred ones are passed', () => {
    expect(firstOpen([{ status: 'skipped' }, { status: 'deferred' }, { status: 'waiting' }] as const)).toEqual({
      status: 'waiting',
    });
    expect(firstOpen([{ status: 'done' }] as const)).toBeUndefined();
  });
});
