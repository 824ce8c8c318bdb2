// One test per safety invariant of design.md, named after it.

import { lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMdadmConf } from '../../src/cli/doctor.js';
import { udevRule } from '../../src/cli/install.js';
import { parseConfigText } from '../../src/config/load.js';
import { disableLine } from '../../src/system/backuppc.js';
import { type Harness, restartDaemon, startHarness, syncToEnd, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const calls = (h: Harness): string[] => h.lab.sys.calls.map((c) => c.join(' '));
const writesTo = (h: Harness, dev: string): string[] =>
  calls(h).filter(
    (c) => c.includes(`/dev/${dev}`) && /--add|--re-add|--fail|--remove|--create|--grow|--zero|mkfs|dd /.test(c),
  );

async function fullRotation(h: Harness, set: 'A' | 'B' = 'A'): Promise<void> {
  const before = h.smtp.mails.length;
  await h.plug(set);
  await h.waitPhase('syncing');
  h.lab.sys.completeSync('md1');
  h.lab.sys.completeSync(set === 'A' ? 'md5' : 'md6');
  await h.smtp.waitFor(
    (m) =>
      h.smtp.mails.indexOf(m) >= before &&
      m.subject.includes(`set ${set}`) &&
      /safe to remove|FAILED|ABORTED/.test(m.subject),
  );
  await waitUntil(() => !h.daemon.rotation!.engine.state.rotation, 'rotation end');
}

describe('invariant 1: the internal half is the authority', () => {
  it('never joins while the internal half is not in sync', async () => {
    h = await startHarness();
    h.lab.sys.arrays.get('md5')!.members[0]!.state = ['write_mostly'];
    h.lab.sys.sync();
    await h.plug('A');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toMatch(/no in-sync internal member/);
    expect(calls(h).filter((c) => /^mdadm \/dev\/md5 --(re-)?add/.test(c))).toEqual([]);
  });

  it("never writes a stripe that carries another array's superblock", async () => {
    h = await startHarness();
    h.lab.sys.stripeContent.set(h.lab.uuids.md8, h.lab.sys.sb(h.lab.uuids.md6, 'raid1', 2, 'lab:6'));
    await h.plug('A');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toMatch(/superblock of another array|another array's superblock/);
    expect(writesTo(h, 'md8').filter((c) => !c.includes('--fail') && !c.includes('--remove'))).toEqual([]);
  });

  it('re-adds into the bitmap when md allows, and says so when it does a full recovery instead', async () => {
    h = await startHarness();
    await fullRotation(h);
    for (const d of ['sde', 'sdf']) h.lab.sys.removeDisk(d);
    await h.daemon.rotation!.engine.reconcile('unplugged');
    h.lab.sys.failures.set('mdadm /dev/md5 --re-add', 'mdadm: --re-add for /dev/md8 to /dev/md5 is not possible');
    await fullRotation(h);
    const mail = h.smtp.mails.filter((m) => m.subject.includes('safe to remove')).at(-1)!;
    expect(mail.text).toMatch(/FULL recovery/);
    expect(mail.text).toMatch(
      /full recovery instead of a bitmap re-add|FULL RECOVERY where a bitmap re-add was expected/,
    );
  });
});

describe('invariant 2: external sets are never auto-assembled', () => {
  const cfg = parseConfigText('t', readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8'));
  it('doctor fails without ARRAY <ignore> lines, and with a line that would assemble a stripe', () => {
    expect(
      checkMdadmConf(cfg, 'ARRAY /dev/md5 UUID=00000000:00000000:00000000:00000005\n', 'x').every(
        (f) => f.level === 'fail',
      ),
    ).toBe(true);
    const assembling = checkMdadmConf(
      cfg,
      'ARRAY /dev/md8 UUID=00000000:00000000:00000000:00000008\nARRAY <ignore> UUID=00000000:00000000:00000000:00000009\n',
      'initramfs',
    );
    expect(assembling[0]).toMatchObject({ level: 'fail', detail: 'line 1 would assemble it at boot' });
    expect(assembling[1]).toMatchObject({ level: 'ok' });
    expect(assembling[0]!.fix).toContain('ARRAY <ignore> UUID=00000000:00000000:00000000:00000008');
  });
  it('the udev rule keeps mdadm --incremental away from assembled stripes', () => {
    const rule = udevRule(
      cfg,
      readFileSync(new URL('../../udev/64-baysync-stripes.rules.in', import.meta.url), 'utf8'),
    );
    expect(rule).toContain(
      'ENV{MD_UUID}=="00000000:00000000:00000000:00000008", ENV{ID_FS_TYPE}="baysync_external_stripe"',
    );
  });
  it('the daemon never uses --scan to assemble', async () => {
    h = await startHarness();
    await fullRotation(h);
    expect(calls(h).filter((c) => c.includes('--scan'))).toEqual([]);
  });
});

describe('invariant 3: a detached copy is only ever read', () => {
  it('after the detach, the copy is assembled --readonly and mounted ro,norecovery,nouuid on a read-only loop at its offset', async () => {
    h = await startHarness();
    await fullRotation(h);
    const all = calls(h);
    const detach = all.indexOf('mdadm /dev/md5 --fail /dev/md8 --remove /dev/md8');
    const after = all
      .slice(detach + 1)
      .filter((c) => c.includes('md8') || c.startsWith('losetup') || c.startsWith('mount '));
    expect(after.some((c) => /^mdadm --assemble \/dev\/md8 .*--readonly/.test(c))).toBe(true);
    for (const c of after.filter((x) => x.startsWith('mdadm --assemble'))) expect(c).toContain('--readonly');
    for (const c of after.filter(
      (x) => x.startsWith('losetup') && !x.includes('--detach') && !x.includes('--associated'),
    ))
      expect(c).toContain('--read-only');
    const mounts = after.filter((x) => x.startsWith('mount '));
    expect(mounts.length).toBeGreaterThan(0);
    for (const c of mounts) expect(c).toMatch(/ -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=\d+ -- /);
    expect(after.filter((c) => /--add|--re-add|--grow|--create/.test(c))).toEqual([]);
    expect(h.daemon.rotation!.engine.state.history[0]!.summary).toMatch(/^ok/);
  });
});

describe('invariant 4: detach only when the mirror is clean and the filesystem frozen', () => {
  it('freeze, then fail/remove, then thaw, all after clean', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls(h).some((c) => c.startsWith('mdadm /dev/md5 --fail'))).toBe(false);
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    const all = calls(h);
    const freeze = all.indexOf(`fsfreeze --freeze -- ${h.lab.sys.livePool}`);
    const fail = all.indexOf('mdadm /dev/md5 --fail /dev/md8 --remove /dev/md8');
    const thaw = all.indexOf(`fsfreeze --unfreeze -- ${h.lab.sys.livePool}`);
    expect(freeze).toBeGreaterThan(-1);
    expect(fail).toBeGreaterThan(freeze);
    expect(thaw).toBeGreaterThan(fail);
    expect(h.lab.sys.frozen).toBe(false);
  });
  it('re-checks clean right before the split: a mirror that starts resyncing after the freeze is not split', async () => {
    h = await startHarness();
    const sys = h.lab.sys;
    const run = sys.run.bind(sys);
    sys.run = async (argv, o) => {
      const r = await run(argv, o);
      if (argv[0] === 'fsfreeze' && argv[1] === '--freeze') {
        sys.arrays.get('md5')!.syncAction = 'resync';
        sys.sync();
      }
      return r;
    };
    await h.plug('A');
    await syncToEnd(h);
    const mail = await h.smtp.waitFor(
      (m) => m.subject.includes('set A') && /ABORTED|FAILED|safe to remove/.test(m.subject),
    );
    expect(mail.subject).not.toContain('safe to remove');
    const all = calls(h);
    const frozenAt = all.findIndex((c) => c.startsWith('fsfreeze --freeze'));
    const thawAt = all.findIndex((c, i) => i > frozenAt && c.startsWith('fsfreeze --unfreeze'));
    expect(all.slice(frozenAt, thawAt).filter((c) => c.includes('--fail'))).toEqual([]);
    expect(sys.frozen).toBe(false);
  });
  it('a failing freeze never yields a "safe to remove" copy, and the pool is not left frozen', async () => {
    h = await startHarness();
    h.lab.sys.failures.set('fsfreeze --freeze', 'fsfreeze: cannot freeze');
    await h.plug('A');
    await h.waitPhase('syncing');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    expect(mail.text).toContain('cannot freeze');
    expect(h.smtp.mails.some((m) => m.subject.includes('safe to remove'))).toBe(false);
    expect(h.lab.sys.frozen).toBe(false);
  });
});

describe('invariant 5: BackupPC always returns to the state it had before', () => {
  it('a pause marker left with no record is restored at start-up', async () => {
    h = await startHarness({}, false);
    writeFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), disableLine);
    await h.daemon.start();
    expect(readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8')).toBe(
      '$Conf{BackupsDisable} = 0;\n',
    );
  });
  it('a BackupPC that was stopped before the rotation stays stopped, and a custom include comes back verbatim', async () => {
    h = await startHarness();
    h.lab.sys.backuppcActive = false;
    writeFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), '# local\n$Conf{BackupsDisable} = 1;\n');
    await fullRotation(h);
    expect(h.lab.sys.backuppcActive).toBe(false);
    expect(readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8')).toBe(
      '# local\n$Conf{BackupsDisable} = 1;\n',
    );
  });
});

describe('invariant 6: one rotation at a time', () => {
  it('a second set plugged in waits, the operator is told, and it rotates next', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    await h.plug('B');
    const told = await h.smtp.waitFor((m) => m.subject.includes('set B waits'));
    expect(told.text).toContain('Only one rotation runs at a time');
    expect(calls(h).some((c) => c.startsWith('mdadm --assemble /dev/md9'))).toBe(false);
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('set A') && m.subject.includes('safe to remove'));
    await waitUntil(() => h!.daemon.rotation!.engine.state.rotation?.set === 'B', 'set B rotating');
    await h.waitPhase('syncing');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md6');
    await h.smtp.waitFor((m) => m.subject.includes('set B') && m.subject.includes('safe to remove'));
  });
});

describe('invariant 7: nothing from a device reaches a shell or a path unchecked', () => {
  it('no command is ever a shell, and device strings are only displayed', async () => {
    h = await startHarness();
    const evil = 'EVIL$(reboot)`id`;rm -rf /';
    // Through every field the code reads: a disk serial, a foreign member's superblock name (raw
    // and in mdadm's export), a mount point, and a hotplug notice's kernel name.
    const sb = h.lab.sys.sb('0badc0de:0badc0de:0badc0de:0badc0de', 'raid1', 2, `${evil}:0`);
    h.lab.sys.addDisk('sdx', 1 << 30, [{ sizeBytes: 512 << 20, sb }], evil);
    h.lab.sys.mounted.add(`/mnt/${evil}`);
    h.lab.sys.sync();
    const { request } = await import('../../src/daemon/control-client.js');
    const refused = await request(h.daemon.socketPath, {
      cmd: 'notify',
      action: 'add',
      kernel: `sd${evil}`,
    } as never).then(
      () => 'accepted',
      (e: unknown) => String(e),
    );
    expect(refused).toMatch(/kernel device name/);
    await fullRotation(h);
    for (const c of h.lab.sys.calls) {
      expect(['sh', 'bash', 'dash'].includes(c[0]!.split('/').pop()!)).toBe(false);
      expect(c.join(' ')).not.toContain('EVIL');
    }
  });
});

describe('invariant 8: mail never blocks or fails a workflow', () => {
  it('with the mail server down the rotation completes, and the mail arrives once it is back', async () => {
    h = await startHarness();
    await h.smtp.stop();
    await fullRotation(h).catch(() => undefined); // no mail can arrive yet
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
    expect(h.daemon.rotation!.engine.state.history[0]!.outcome).toBe('success');
    expect(h.daemon.mail.pending().length).toBeGreaterThan(0);
    const { TestSmtp } = await import('../helpers/smtp.js');
    const back = new TestSmtp(h.smtp.port);
    await back.start();
    h.smtp = back;
    for (const e of h.daemon.mail.pending()) e.nextAttemptAt = 0;
    // force the retry now instead of waiting for the backoff
    const spoolDir = h.lab.sys.path('state/mail');
    for (const f of (await import('node:fs')).readdirSync(spoolDir)) {
      const p = `${spoolDir}/${f}`;
      const j = JSON.parse(readFileSync(p, 'utf8'));
      j.nextAttemptAt = 0;
      writeFileSync(p, JSON.stringify(j));
    }
    await h.daemon.mail.drain();
    await back.waitFor((m) => m.subject.includes('safe to remove'));
    expect(h.daemon.mail.pending()).toEqual([]);
  });
});

describe('invariant 8 with a mail server that hangs', () => {
  it('the rotation completes, and the hung hand-over times out and is retried instead of holding the spool', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    h = await startHarness({ mailExtra: 'timeout_seconds = 1' });
    await h.smtp.stop();
    // Accepts the connection and never says a word (no SMTP greeting).
    const hang = createServer((sock) => void held.push(sock));
    await new Promise<void>((r) => hang.listen(h!.smtp.port, '127.0.0.1', r));
    try {
      await h.plug('A');
      await syncToEnd(h);
      await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
      expect(h.daemon.rotation!.engine.state.history[0]!.outcome).toBe('success');
      await waitUntil(
        () => h!.daemon.mail.pending().some((e) => /did not answer within 1 s/.test(e.lastError ?? '')),
        'a hand-over given up after 1 s',
      );
      expect(held.length).toBeGreaterThan(0);
    } finally {
      for (const s of held) s.destroy();
      hang.close();
    }
  });
});

describe('invariant 9: long work takes a logind inhibitor lock', () => {
  it('systemd-inhibit --what=shutdown:sleep is held from the start of a rotation and released at its end', async () => {
    h = await startHarness();
    expect(h.lab.sys.inhibitors).toBe(0);
    await h.plug('A');
    await h.waitPhase('syncing');
    expect(
      h.lab.sys.calls.some(
        (c) => c[0] === 'systemd-inhibit' && c.includes('--what=shutdown:sleep') && c.includes('--mode=block'),
      ),
    ).toBe(true);
    expect(h.lab.sys.inhibitors).toBe(1);
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('safe to remove'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'the rotation to end');
    expect(h.lab.sys.inhibitors).toBe(0);
  });

  it('released at an abort too', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    await h.daemon.handle({ cmd: 'rotate', action: 'abort' });
    await h.smtp.waitFor((m) => m.subject.includes('ABORTED'));
    await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'the abort to end');
    expect(h.lab.sys.inhibitors).toBe(0);
  });

  it('taken again by a daemon restarted mid-rotation (the resumed rotation is inhibited too)', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    for (const l of h.lab.sys.living) if (l.includes('systemd-inhibit')) h.lab.sys.living.delete(l); // died with it
    await restartDaemon(h);
    await waitUntil(() => h!.lab.sys.inhibitors === 1, 'an inhibitor held by the new daemon');
  });
});

describe('invariant 11: files in directories other users own are not followed through links', () => {
  it('an include replaced by a symlink (by the backuppc user) stops the rotation before BackupPC is touched; the link target is untouched', async () => {
    h = await startHarness();
    const inc = h.lab.sys.path('etc/backuppc/external-control.pl');
    const victim = h.lab.sys.path('victim-shadow');
    writeFileSync(victim, 'root:secret\n', { mode: 0o600 });
    rmSync(inc);
    symlinkSync(victim, inc);
    await h.plug('A');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('set A: rotation ABORTED'));
    expect(mail.text).toMatch(/symbolic\s+link/);
    expect(readFileSync(victim, 'utf8')).toBe('root:secret\n');
    expect(lstatSync(inc).isSymbolicLink()).toBe(true);
    expect(calls(h).filter((c) => c.startsWith('runuser') || c.startsWith('systemctl stop'))).toEqual([]);
  });
});
