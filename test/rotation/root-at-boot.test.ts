import { afterEach, describe, expect, it } from 'vitest';
import { argvs, type Harness, restartDaemon, startHarness, syncToEnd, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const md1 = (h: Harness) => h.lab.sys.arrays.get('md1')!;
const inMd1 = (h: Harness, dev: string) => md1(h).members.some((m) => m.dev === dev);

/** What the lab's boot did (scenario boot-with-set-plugged): md1 took a set's root partition as a spare. */
function bootTakes(h: Harness, dev: string): void {
  md1(h).members.push({ dev, slot: undefined, state: ['spare'] });
  h.lab.sys.sync();
}

describe("a set's root partitions taken by the root mirror at boot", () => {
  it('invariant: a root partition md1 took at boot is removed at start, before any rotation, and the operator is told', async () => {
    h = await startHarness({ policy: 'auto_start = false' });
    await h.plug('A');
    await h.daemon.handle({ cmd: 'rotate', action: 'start', set: 'A' });
    await syncToEnd(h);
    await h.smtp.waitFor((m) => m.subject.includes('set A') && m.subject.includes('safe to remove'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'the rotation ends');
    expect(inMd1(h, 'sde1')).toBe(false);
    await h.daemon.stop();
    bootTakes(h, 'sde1');
    const before = h.lab.sys.calls.length;
    await restartDaemon(h);
    expect(inMd1(h, 'sde1')).toBe(false);
    expect(argvs(h).slice(before)).toContain('mdadm /dev/md1 --fail /dev/sde1 --remove /dev/sde1');
    const mail = await h.smtp.waitFor((m) => m.subject.includes("took a set's root partition at boot"));
    expect(mail.text).toContain("md1 had taken set A's root partition sde1 (spare) at boot; removed before md rebuilt");
    // The other set member was not taken: it is not named, nor is anything of set B.
    expect(mail.text).not.toContain('sdf1');
  });

  it('the rotating set keeps its root partitions in md1 while its rotation has not taken them out', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    expect(inMd1(h, 'sde1')).toBe(true);
    const before = h.lab.sys.calls.length;
    const d2 = await restartDaemon(h);
    expect(d2.rotation!.engine.state.rotation?.set).toBe('A');
    expect(inMd1(h, 'sde1')).toBe(true);
    expect(
      argvs(h)
        .slice(before)
        .some((c) => c.includes('--remove /dev/sde1')),
    ).toBe(false);
  });
});
