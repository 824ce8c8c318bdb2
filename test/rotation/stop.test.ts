import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, restartDaemon, startHarness, syncToEnd } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a daemon stop during the detach (issue 10: a stop while frozen left the pool frozen)', () => {
  it('stops before the next step, thaws the pool, and the resumed rotation freezes again before it splits', async () => {
    h = await startHarness();
    const sys = h.lab.sys;
    const run = sys.run.bind(sys);
    let stopping: Promise<void> | undefined;
    sys.run = async (argv, o) => {
      const r = await run(argv, o);
      if (argv[0] === 'fsfreeze' && argv[1] === '--freeze' && !stopping) stopping = h!.daemon.stop();
      return r;
    };
    await h.plug('A');
    await syncToEnd(h);
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (stopping) {
          clearInterval(t);
          r();
        }
      }, 10);
    });
    await stopping;
    expect(sys.frozen).toBe(false);
    const split = (c: string[]) => c.join(' ').startsWith('mdadm /dev/md5 --fail');
    expect(sys.calls.some(split)).toBe(false);
    const rec = h.daemon.rotation!.engine.state.rotation!;
    expect(rec.frozen).toBe(false);
    expect(rec.done).not.toContain('freeze');
    sys.run = run;
    const before = sys.calls.length;
    await restartDaemon(h);
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    const after = sys.calls.slice(before).map((c) => c.join(' '));
    const freeze = after.findIndex((c) => c.startsWith('fsfreeze --freeze'));
    const fail = after.findIndex((c) => c.startsWith('mdadm /dev/md5 --fail'));
    expect(freeze).toBeGreaterThan(-1);
    expect(fail).toBeGreaterThan(freeze);
  });
});
