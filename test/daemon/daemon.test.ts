// Integration: the real daemon over the fake system runner, mail to a real SMTP server: a whole
// rotation end to end, and a bad config refused before anything runs.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/daemon/control.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { argvs, type Harness, startHarness, syncToEnd, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

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
    expect(argvs(h).some((c) => c.startsWith('fsfreeze'))).toBe(false);
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

describe('restart when idle (a package upgrade)', () => {
  it('a package upgrade never cuts a running rotation short: deferred, then exit 75 once it ends', async () => {
    const exits: number[] = [];
    h = await startHarness({}, true, { exit: (c) => void exits.push(c) });
    await h.plug('A');
    await h.waitPhase('syncing');
    const r = await request<{ now: boolean; busy?: string }>(h.daemon.socketPath, { cmd: 'restart-when-idle' });
    expect(r.now).toBe(false);
    expect(r.busy).toMatch(/set A/);
    expect(exits).toEqual([]);
    await syncToEnd(h);
    await waitUntil(() => exits.length > 0, 'the restart after the rotation', 30_000);
    expect(exits).toEqual([75]);
    expect(h.daemon.rotation!.engine!.state.history[0]?.outcome).toBe('success');
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
