// The rotation executor on the real daemon over the fake system: every abort path, crash and
// resume in each phase, an interrupted mdadm, an interrupted first copy.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/daemon/control.js';
import { normalPhases } from '../../src/rotation/types.js';
import { argvs, type Harness, restartDaemon, startHarness, syncToEnd, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
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
  for (const phase of normalPhases.filter((p) => p !== 'checking' && p !== 'done')) {
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
      const d2 = await restartDaemon(h);
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

describe('a set renamed in the config mid-rotation', () => {
  it('after a restart with set A renamed, the rotation aborts and still removes its partial copy, by the identity it recorded', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    // The old daemon dies (as with SIGKILL, it runs no further step), then restarts on a new config.
    const old = h.daemon.rotation!.engine;
    old.reconcile = () => Promise.resolve();
    (old as unknown as { runStep: () => Promise<void> }).runStep = () => new Promise(() => undefined);
    writeFileSync(h.lab.configPath, readFileSync(h.lab.configPath, 'utf8').replace('name = "A"', 'name = "C"'));
    const d2 = await restartDaemon(h);
    const mail = await h.smtp.waitFor((m) => m.subject.includes('set A: rotation ABORTED'));
    expect(mail.text).toMatch(/no longer in the configuration/);
    await waitUntil(
      () => d2.rotation!.engine.state.history.some((e) => e.set === 'A' && e.outcome === 'aborted'),
      'abort end',
    );
    // The partial copy left md5 and its stripe stopped, found by the UUIDs the record kept (the
    // renamed set C, plugged in and waiting, may rotate next).
    const calls = argvs(h);
    expect(calls).toContain('mdadm /dev/md5 --fail /dev/md8 --remove /dev/md8');
    expect(calls).toContain('mdadm --stop /dev/md8');
  });
});

describe('a kill while the copy is mounted for the verification (found in the lab)', () => {
  it('the restarted daemon releases the mount and completes the verification', async () => {
    h = await startHarness();
    const old = h.daemon.rotation!.engine;
    const exec = old.a.ops.exec.bind(old.a.ops);
    let killed = false;
    old.a.ops.exec = async (op) => {
      if (killed) return new Promise(() => undefined);
      const r = await exec(op);
      if (op.kind === 'run' && op.argv[0] === 'mount' && op.argv.includes('--')) {
        killed = true; // SIGKILL right after the mount: nothing further runs
        old.reconcile = () => Promise.resolve();
        return new Promise(() => undefined);
      }
      return r;
    };
    await h.plug('A');
    await syncToEnd(h);
    await waitUntil(() => killed, 'the verification mount');
    const d2 = await restartDaemon(h);
    await h.smtp.waitFor((m) => m.subject.includes('set A: offline copy done, safe to remove'));
    expect(d2.rotation!.engine.state.history[0]?.outcome).toBe('success');
  });
});
