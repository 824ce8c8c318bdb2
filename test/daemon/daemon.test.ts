// Integration: the real daemon over the fake system runner, mail to a real SMTP server.
// Covers the whole rotation, every abort path, crash-resume and odd hotplug payloads.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/daemon/control.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { type Harness, startHarness, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const argvs = (h: Harness): string[] => h.lab.sys.calls.map((c) => c.join(' '));
const calls = argvs;

async function syncToEnd(h: Harness): Promise<void> {
  await h.waitPhase('syncing');
  h.lab.sys.completeSync('md1');
  h.lab.sys.completeSync('md5');
}

describe('whole rotation', () => {
  it('plug in set A -> assemble, join, pause, sync, detach, verify, spin down, mail', async () => {
    h = await startHarness();
    await h.plug('A');
    await syncToEnd(h);
    const mail = await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    expect(mail.text).toContain('SAFE TO REMOVE');
    expect(mail.text).toMatch(/verification: +OK/);
    expect(mail.text).toMatch(/BackupPC stopped: +[\d.]+ s during the detach/);
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    const calls = argvs(h);
    const idx = (s: string): number => calls.findIndex((c) => c.startsWith(s));
    // Order of the seed's procedure.
    expect(idx('mdadm --assemble /dev/md8')).toBeGreaterThan(-1);
    expect(idx('mdadm /dev/md5 --add /dev/md8')).toBeGreaterThan(idx('mdadm --assemble /dev/md8'));
    expect(idx('mdadm /dev/md1 --add /dev/sde1')).toBeGreaterThan(-1);
    expect(idx('fsfreeze --freeze')).toBeGreaterThan(idx('systemctl stop backuppc.service'));
    expect(idx('mdadm /dev/md5 --fail /dev/md8')).toBeGreaterThan(idx('fsfreeze --freeze'));
    expect(idx('fsfreeze --unfreeze')).toBeGreaterThan(idx('mdadm /dev/md5 --remove /dev/md8'));
    expect(idx('mdadm --assemble /dev/md8 --uuid=')).toBeGreaterThan(-1);
    expect(calls.some((c) => /^mdadm --assemble \/dev\/md8 .*--readonly/.test(c))).toBe(true);
    expect(
      calls.some((c) =>
        /^mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=\d+ -- \/dev\/md8 /.test(c),
      ),
    ).toBe(true);
    expect(calls.some((c) => c.startsWith('sdparm --command=stop /dev/sde'))).toBe(true);
    // BackupPC back to its state, dumps enabled again.
    expect(h.lab.sys.backuppcActive).toBe(true);
    expect(readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8')).toBe(
      '$Conf{BackupsDisable} = 0;\n',
    );
    const st = h.daemon.status();
    expect(st.sets.find((s) => s.name === 'A')?.lastSuccess).toBeTruthy();
    expect(st.history[0]?.outcome).toBe('success');
    expect(st.history[0]?.joinMode).toBe('add');
  });

  it('the second rotation of a set is a bitmap re-add', async () => {
    h = await startHarness();
    await h.plug('A');
    await syncToEnd(h);
    await h.smtp.waitFor((m) => m.subject.includes('set A') && m.subject.includes('safe to remove'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'first rotation end');
    for (const d of ['sde', 'sdf']) h.lab.sys.removeDisk(d);
    await h.daemon.rotation!.engine.reconcile('unplugged');
    // The stripe now carries md5's superblock: plug again.
    h.lab.sys.calls.length = 0;
    await h.plug('A');
    await syncToEnd(h);
    await waitUntil(
      () => h!.smtp.mails.filter((m) => m.subject.includes('safe to remove')).length === 2,
      'second mail',
    );
    expect(argvs(h)).toContain('mdadm /dev/md5 --re-add /dev/md8');
    expect(h.daemon.rotation!.engine.state.history[0]?.joinMode).toBe('re-add');
    expect(h.daemon.rotation!.engine.state.history[0]?.resyncBytes).toBe(64 * 1024 * 1024);
    expect(h.smtp.mails.at(-1)?.text).toContain('rotated twice in a row');
  });

  it('BackupPC is stopped while idle during the sync and still restored', async () => {
    h = await startHarness({ stopWhenIdle: true });
    h.lab.sys.runningDumps = 1;
    await h.plug('A');
    await h.waitPhase('syncing');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.lab.sys.backuppcActive).toBe(true); // a dump runs: left alone
    h.lab.sys.runningDumps = 0;
    await waitUntil(() => !h!.lab.sys.backuppcActive, 'BackupPC stopped for the sync');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    expect(h.lab.sys.backuppcActive).toBe(true);
  });

  it('the detach waits for a dump that was running at plug-in (seed: check-and-finish)', async () => {
    h = await startHarness();
    h.lab.sys.runningDumps = 1;
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.phase()).toBe('syncing');
    expect(h.daemon.rotation!.engine.lastPlan?.next).toMatchObject({
      kind: 'wait',
      reason: '1 BackupPC dump(s) still running; the detach waits for them',
    });
    expect(calls(h).some((c) => c.startsWith('fsfreeze'))).toBe(false);
    h.lab.sys.runningDumps = 0;
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
  });

  it('status shows progress, percent and ETA while syncing', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.setProgress('md5', 450_000, 900_000);
    await waitUntil(() => (h!.daemon.status().rotation?.percent ?? 0) > 0, 'progress');
    const st = h.daemon.status();
    expect(st.rotation?.percent).toBe(50);
    expect(st.rotation?.etaSeconds).toBeGreaterThan(0);
    expect(st.statusLine).toMatch(/set A: syncing 50\.0%.*ETA/);
    const viaSocket = await request<{ rotation: { phase: string } }>(h.daemon.socketPath, { cmd: 'status' });
    expect(viaSocket.rotation.phase).toBe('syncing');
  });
});

describe('abort paths', () => {
  it('a drive pulled mid-sync aborts: mail, BackupPC restored, internal side untouched', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.removeDisk('sdf');
    await h.daemon.handle({ cmd: 'notify', action: 'remove', kernel: 'sdf2' });
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toMatch(/disappeared|failed/);
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    expect(h.lab.sys.backuppcActive).toBe(true);
    expect(readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8')).toBe(
      '$Conf{BackupsDisable} = 0;\n',
    );
    const md5 = h.lab.sys.arrays.get('md5')!;
    expect(md5.members.map((m) => m.dev)).toEqual(['md3']);
    expect(md5.members[0]!.state).toEqual(['in_sync']);
    expect(
      argvs(h).filter(
        (c) => / \/dev\/md3\b/.test(c) && !c.startsWith('mdadm --detail') && !c.startsWith('mdadm --examine'),
      ),
    ).toEqual([]);
  });

  it('a failing command aborts with the command in the mail', async () => {
    h = await startHarness();
    h.lab.sys.failures.set('mdadm /dev/md5 --add', 'mdadm: /dev/md8 not large enough to join array');
    await h.plug('A');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toContain('not large enough');
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    expect(h.lab.sys.arrays.has('md8')).toBe(false);
    expect(h.lab.sys.backuppcActive).toBe(true);
  });

  it('baysync rotate abort restores everything', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    await request(h.daemon.socketPath, { cmd: 'rotate', action: 'abort' });
    await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    expect(h.lab.sys.arrays.get('md5')!.members.map((m) => m.dev)).toEqual(['md3']);
    expect(h.lab.sys.arrays.get('md1')!.members.map((m) => m.dev)).not.toContain('sde1');
    expect(h.lab.sys.backuppcActive).toBe(true);
    expect(h.daemon.rotation!.engine.state.history[0]?.outcome).toBe('aborted');
  });

  it('a set too small is refused before anything is written', async () => {
    h = await startHarness();
    const { plugSet } = await import('../helpers/fake-system.js');
    plugSet(h.lab, 'A', ['sde', 'sdf'], 100 * 1024 * 1024);
    await h.daemon.rotation!.engine.reconcile('plug small');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toContain('too small');
    const writes = argvs(h).filter((c) => /^mdadm (--assemble|\/dev)/.test(c));
    expect(writes).toEqual([]);
  });
});

describe('crash and resume', () => {
  // Stop the daemon (as a SIGKILL would: nothing cleaned up) at the start of a phase, start a
  // new daemon on the same state and kernel, and check the rotation completes.
  for (const phase of [
    'assembling',
    'joining',
    'pausing',
    'syncing',
    'detaching',
    'verifying',
    'spinning-down',
    'reporting',
  ]) {
    it(`resumes after a crash in phase ${phase}`, async () => {
      h = await startHarness();
      let crashed = false;
      const engine = h.daemon.rotation!.engine;
      const origPersist = engine.store.save.bind(engine.store);
      // Freeze the persisted state the moment the phase is entered: later writes are "lost".
      // SIGKILL right after the phase is entered: that write lands, nothing after it does,
      // and the old process runs no further step.
      engine.store.save = (s) => {
        if (crashed) throw new Error('killed');
        origPersist(s);
        if (s.rotation?.phase === phase) {
          crashed = true;
          engine.reconcile = () => Promise.resolve();
          // Like SIGKILL: the old process runs no further command (its in-flight loop hangs here).
          (engine as unknown as { runStep: () => Promise<void> }).runStep = () => new Promise(() => undefined);
        }
      };
      if (phase === 'detaching' || phase === 'verifying' || phase === 'spinning-down' || phase === 'reporting') {
        await h.plug('A');
        await syncToEnd(h);
      } else {
        await h.plug('A');
      }
      await waitUntil(() => crashed, `phase ${phase}`);
      // The old daemon "dies": stop its timers and socket without any cleanup of the rotation.
      await h.daemon.stop();
      const d2 = new Daemon({
        configPath: h.lab.configPath,
        runner: h.lab.sys,
        env: {},
        scanIntervalMs: 3600_000,
        progressIntervalMs: 50,
      });
      h.daemon = d2;
      await d2.start();
      if (
        d2.rotation!.engine.state.rotation?.phase === 'syncing' ||
        ['assembling', 'joining', 'pausing', 'syncing'].includes(phase)
      ) {
        await waitUntil(
          () => d2.rotation!.engine.state.rotation?.phase === 'syncing' || !d2.rotation!.engine.state.rotation,
          'syncing after resume',
        );
        if (h.lab.sys.arrays.get('md5')!.syncAction !== 'idle') h.lab.sys.completeSync('md5');
        if (h.lab.sys.arrays.get('md1')!.syncAction !== 'idle') h.lab.sys.completeSync('md1');
      }
      await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
      await waitUntil(() => !d2.rotation!.engine.state.rotation, 'rotation end');
      expect(h.lab.sys.backuppcActive).toBe(true);
      expect(h.lab.sys.frozen).toBe(false);
      expect(readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8')).toBe(
        '$Conf{BackupsDisable} = 0;\n',
      );
      expect(d2.rotation!.engine.state.history[0]?.outcome).toBe('success');
    });
  }
});

describe('interrupted mdadm', () => {
  it('a mirror left frozen by an mdadm killed during the join is unfrozen, and the rotation completes', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.arrays.get('md5')!.syncAction = 'frozen';
    h.lab.sys.sync();
    await waitUntil(() => h!.lab.sys.unfrozen.includes('md5'), 'md5 unfrozen');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
  });
});

describe('an interrupted first copy', () => {
  it('a stripe whose recovery was interrupted (hard reset) is copied again in full, not re-added', async () => {
    h = await startHarness();
    h.lab.sys.stripeContent.set(h.lab.uuids.md8, {
      ...h.lab.sys.sb(h.lab.uuids.md5, 'raid1', 2, 'lab:5'),
      partlyRecovered: true,
    });
    await h.plug('A');
    await h.waitPhase('syncing');
    const c = argvs(h);
    expect(c).toContain('mdadm --zero-superblock /dev/md8');
    expect(c.indexOf('mdadm /dev/md5 --add /dev/md8')).toBeGreaterThan(c.indexOf('mdadm --zero-superblock /dev/md8'));
    expect(c.some((x) => x.startsWith('mdadm /dev/md5 --re-add'))).toBe(false);
  });
});

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
    await h.waitPhase('syncing', 5000);
    expect(calls(h).some((c) => c.startsWith('mdadm /dev/md5 --add /dev/md8'))).toBe(true);
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

describe('bad configuration', () => {
  it('the daemon refuses to start on a bad config, naming the key, and runs no command', async () => {
    const { seedTopology } = await import('../helpers/fake-system.js');
    const { writeFileSync } = await import('node:fs');
    const lab = seedTopology();
    writeFileSync(lab.configPath, lab.configToml.replace('stop_when_idle = true', 'stop_when_idle = "yes"'));
    expect(() => new Daemon({ configPath: lab.configPath, runner: lab.sys, env: {} })).toThrow(
      /backuppc\.stop_when_idle: .*Nothing was changed/s,
    );
    expect(lab.sys.calls).toEqual([]);
    lab.sys.cleanup();
  });
});
