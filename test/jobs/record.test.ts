import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { failStep, type JobRecord, markDone, transition } from '../../src/jobs/record.js';

const lines: string[] = [];
const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l).msg) });
const rec = (): JobRecord<'run' | 'aborting', 'x' | 'y'> => ({
  id: 'j',
  phase: 'run',
  startedAt: 't0',
  timeline: [{ phase: 'run', at: 't0' }],
  done: [],
  warnings: [],
});

describe('the job record', () => {
  it('transition logs `phase A => phase B` and persists before returning', () => {
    const r = rec();
    const persisted: string[] = [];
    transition(r, 'aborting', { persist: () => persisted.push(r.phase), now: () => 't1', log });
    expect(persisted).toEqual(['aborting']);
    expect(r.timeline.at(-1)).toEqual({ phase: 'aborting', at: 't1' });
    expect(lines.at(-1)).toBe('phase run => aborting');
  });

  it('a failing step starts the abort; a failing abort step is a warning and counts as done (it runs once)', () => {
    const r = rec();
    const io = { persist: () => undefined, now: () => 't', log };
    let reason = '';
    failStep(r, { id: 'x', title: 'do x' }, new Error('boom'), io, 'aborting', (why) => (reason = why));
    expect(reason).toBe('do x failed: boom');
    expect(r.done).toEqual([]);
    r.phase = 'aborting';
    failStep(r, { id: 'y', title: 'undo y' }, new Error('still boom'), io, 'aborting', () =>
      expect.fail('no second abort'),
    );
    expect(r.done).toEqual(['y']);
    expect(r.warnings).toEqual(['undo y: still boom']);
    markDone(r, 'y');
    expect(r.done).toEqual(['y']);
  });
});
