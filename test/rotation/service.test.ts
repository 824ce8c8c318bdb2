// The rotation Service: hotplug notices and device nodes, odd payloads, and the pool running
// without one of its mirrors (said once, in status and check).

import { renameSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/daemon/control.js';
import { argvs, type Harness, startHarness } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function _syncToEnd(h: Harness): Promise<void> {
  await h.waitPhase('syncing');
  h.lab.sys.completeSync('md1');
  h.lab.sys.completeSync('md5');
}

describe('the pool without one of its mirrors', () => {
  it('md7 running without md5 is reported once (error log, mail), shown in status and CRITICAL in check', async () => {
    h = await startHarness();
    const md7 = h.lab.sys.arrays.get('md7')!;
    md7.members = md7.members.filter((m) => m.dev !== 'md5');
    h.lab.sys.sync();
    await h.daemon.rotation!.engine.reconcile('test');
    await h.daemon.rotation!.engine.reconcile('test again');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('runs without one of its mirrors'));
    expect(mail.text).toContain('mdadm /dev/md7 --re-add /dev/md5');
    expect(h.smtp.mails.filter((m) => m.subject.includes('runs without one of its mirrors'))).toHaveLength(1);
    const st = h.daemon.status();
    expect(st.poolProblems).toHaveLength(1);
    const { evaluateCheck } = await import('../../src/cli/check.js');
    const c = evaluateCheck(h.daemon.cfg, st);
    expect(c.code).toBe(2);
    expect(c.line).toContain('mirror md5 is not an in-sync member of the top mirror md7');
  });
});

describe('hotplug fast path', () => {
  it('disk nodes appearing in /dev start the rotation without a hotplug notice', async () => {
    h = await startHarness();
    const { plugSet } = await import('../helpers/fake-system.js');
    plugSet(h.lab, 'A'); // sysfs and /dev as the kernel shows them; no `baysync notify`
    await h.waitPhase('syncing', 30_000);
    expect(argvs(h).some((c) => c.startsWith('mdadm /dev/md5 --add /dev/md8'))).toBe(true);
  });

  it("udev's database entry starts the rotation with the /dev watch off and no hotplug notice", async () => {
    h = await startHarness({}, true, { watchDevices: false });
    const { plugSet } = await import('../helpers/fake-system.js');
    plugSet(h.lab, 'A');
    await new Promise((r) => setTimeout(r, 400));
    expect(argvs(h).some((c) => c.startsWith('mdadm --assemble'))).toBe(false); // nothing woke it yet
    const entry = h.lab.sys.path('udev/data/b8:66');
    writeFileSync(`${h.lab.sys.path('udev/data')}/.#b8:66tmp`, 'E:ID_FS_TYPE=linux_raid_member\n');
    renameSync(`${h.lab.sys.path('udev/data')}/.#b8:66tmp`, entry); // as udev writes it
    await h.waitPhase('syncing', 30_000);
    expect(argvs(h).some((c) => c.startsWith('mdadm /dev/md5 --add /dev/md8'))).toBe(true);
  });
});

describe('hotplug payloads', () => {
  it('rejects strange kernel names on the control socket without acting', async () => {
    h = await startHarness();
    for (const kernel of ['sda;rm -rf /', '../../etc', 'sd a', '$(reboot)', 'SDA', '']) {
      await expect(request(h.daemon.socketPath, { cmd: 'notify', action: 'add', kernel } as never)).rejects.toThrow(
        /invalid request/,
      );
    }
    await expect(request(h.daemon.socketPath, { cmd: 'nope' } as never)).rejects.toThrow(/invalid request/);
    expect(h.lab.sys.calls.filter((c) => c[0] === 'mdadm' && c[1] !== '--detail' && c[1] !== '--examine')).toEqual([]);
  });

  it('a block device with an odd name in sysfs is ignored and logged', async () => {
    h = await startHarness();
    const { logLines } = await import('../helpers/harness.js');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(h.lab.sys.path('sys/block/sdz`id`'), { recursive: true });
    await h.daemon.rotation!.engine.reconcile('odd');
    expect(logLines.some((l) => l.startsWith('<4>') && l.includes('unexpected kernel names'))).toBe(true);
    expect(h.lab.sys.calls.some((c) => c.join(' ').includes('sdz'))).toBe(false);
  });
});

describe('a burst of md events', () => {
  it('3,000 md events cost a couple of scans, not 3,000, and an operator request is answered right after', async () => {
    h = await startHarness();
    const md = h.daemon.rotation!.engine.a.md;
    const list = md.listArrays.bind(md);
    let scans = 0;
    md.listArrays = async () => {
      scans++;
      return list();
    };
    const events = Array.from({ length: 3000 }, () =>
      h!.daemon.handle({ cmd: 'md-event', event: 'DegradedArray', device: '/dev/md5' }),
    );
    await Promise.all(events);
    await h.daemon.handle({ cmd: 'plan' });
    expect(scans).toBeLessThanOrEqual(3);
  });
});

describe('hotplug notices in the journal', () => {
  it('a flood of notices (a flapping enclosure) is logged at most 20 times a minute, the rest counted', async () => {
    h = await startHarness();
    const { logLines } = await import('../helpers/harness.js');
    const before = logLines.length;
    for (let i = 0; i < 100; i++) await h.daemon.handle({ cmd: 'notify', action: 'change', kernel: `sdz${i}` });
    const hotplug = logLines.slice(before).filter((l) => l.includes('hotplug change sdz'));
    expect(hotplug).toHaveLength(20);
  });
});

describe('invariant 6 at once (issue 10: the notice waited for the step under way)', () => {
  it('a set plugged in while a long step runs is told it waits before that step ends', async () => {
    h = await startHarness();
    const sys = h.lab.sys;
    const run = sys.run.bind(sys);
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    let released = false;
    // The verification's read-only mount hangs (a slow read of the copy) until released.
    sys.run = async (argv, o) => {
      if (argv[0] === 'mount' && argv.includes('-o') && !holding) {
        holding = true;
        await held;
      }
      return run(argv, o);
    };
    await h.plug('A');
    h.lab.sys.completeSync('md1');
    await h.waitPhase('syncing');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.waitPhase('verifying');
    await new Promise<void>((r) => {
      const t = setInterval(() => holding && (clearInterval(t), r()), 10);
    });
    await h.plug('B');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('set B waits'));
    expect(mail.subject).toContain('set A is rotating');
    expect(released).toBe(false); // the verification step has not ended yet
    released = true;
    release();
    await h.smtp.waitFor((m) => m.subject.includes('set A: offline copy done'));
  });
});
