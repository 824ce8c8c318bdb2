// The plan is what runs: a whole rotation (first copy of set A, set B, then A again as a bitmap
// re-add) on the fake system, and for every step the commands recorded while it ran are exactly
// the operations its plan listed, in order. The planned step is the one `baysync plan` shows.
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannedStep } from '../../src/rotation/types.js';
import { renderOp } from '../../src/system/op.js';
import { type Harness, startHarness, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Commands that only read (facts, progress, notices): not operations of a step. */
const isQuery = (argv: string[]): boolean =>
  (argv[0] === 'mdadm' && ['--detail', '--examine', '--examine-bitmap', '--wait'].includes(argv[1]!)) ||
  (argv[0] === 'systemctl' && argv[1] === 'is-active') ||
  (argv[0] === 'losetup' && argv[1] === '--list') ||
  ['systemd-notify', 'systemd-inhibit', 'mountpoint'].includes(argv[0]!);

async function unplug(h: Harness, set: 'A' | 'B'): Promise<void> {
  for (const d of set === 'A' ? ['sde', 'sdf'] : ['sdg', 'sdh']) h.lab.sys.removeDisk(d);
  await h.daemon.rotation!.engine.reconcile('unplugged');
}

async function rotate(h: Harness, set: 'A' | 'B'): Promise<void> {
  const before = h.smtp.mails.length;
  await h.plug(set);
  await h.waitPhase('syncing');
  h.lab.sys.completeSync('md1');
  h.lab.sys.completeSync(set === 'A' ? 'md5' : 'md6');
  await h.smtp.waitFor((m) => h.smtp.mails.indexOf(m) >= before && m.subject.includes(`set ${set}`));
  await waitUntil(() => !h.daemon.rotation!.engine.state.rotation, 'rotation end');
}

describe('the plan is what runs', () => {
  it('every command of a rotation is an operation its step planned, in order, for A, B and A again', async () => {
    const steps: Array<{ step: PlannedStep; from: number; plannedNext: boolean }> = [];
    h = await startHarness({}, true, {
      onStep: (step) => {
        const shown = h?.daemon.rotation?.engine.lastPlan?.next;
        steps.push({ step, from: h!.lab.sys.calls.length, plannedNext: shown?.kind === 'run' && shown.step === step });
      },
    });
    await rotate(h, 'A');
    await unplug(h, 'A');
    await rotate(h, 'B');
    await unplug(h, 'B');
    await rotate(h, 'A');
    expect(h.daemon.rotation!.engine.state.history.map((e) => e.outcome)).toEqual(['success', 'success', 'success']);
    expect(h.daemon.rotation!.engine.state.history[0]!.joinMode).toBe('re-add');
    const calls = h.lab.sys.calls;
    let compared = 0;
    for (const [i, { step, from, plannedNext }] of steps.entries()) {
      expect(plannedNext, `${step.id} is the step the plan showed next`).toBe(true);
      const to = steps[i + 1]?.from ?? calls.length;
      const ran = calls
        .slice(from, to)
        .filter((c) => !isQuery(c))
        .map((c) => c.join(' '));
      // In plan order: every planned operation ran, except fallbacks, which run only after a failure.
      const expected: string[] = [];
      let j = 0;
      for (const op of step.ops.filter((o) => o.kind === 'run')) {
        const line = op.argv.join(' ');
        if (ran[j] === line) {
          expected.push(line);
          j++;
        } else if (!op.fallback) expected.push(`(missing) ${renderOp(op)}`);
      }
      expect(ran, `commands of step ${step.id}`).toEqual(expected);
      compared += ran.length;
    }
    // The three rotations ran their operations through the steps: nothing was compared vacuously.
    expect(steps.length).toBeGreaterThan(50);
    expect(compared).toBeGreaterThan(60);
  });
});
