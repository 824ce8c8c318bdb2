// `npm run test:e2e`: the lab scenarios on a real kernel. Each scenario boots the provisioned
// topology from fresh overlays, installs baysync from the .deb, acts through QMP (hot-plug,
// surprise removal, reset) and checks outcomes in the guest (arrays, mailbox, BackupPC, data),
// never log lines. Ends with the figures and a line "N passed, N failed"; results are also
// written to build/e2e-results.json for .ci/run. `E2E_ONLY=name,name` runs a subset.
// Time limits, so that a hung guest can never hold CI: a scenario that runs longer than
// E2E_SCENARIO_LIMIT_MIN (default 12) has its VM killed and fails; once E2E_BUDGET_MIN (default
// 45, counted from the start, image and topology builds included) is spent, the scenarios not yet
// started are reported as failed ("not run"), never skipped silently.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labCacheDir, log, sleep } from './common.js';
import { installBaysync, lastMail, mailCount } from './guest-install.js';
import { ensureImage } from './image.js';
import { ensurePrerequisites, LabSession, type SetName } from './session.js';
import { ensureTopology } from './topology.js';

interface Figures {
  plugToSyncS: number[];
  /** The same, from the host: QMP hot-plug and 0.3-0.5 s guest-agent polls included. */
  plugToSyncHostS: number[];
  cleanToMailS: number[];
  pauseWindowS: number[];
  returningResyncPct: number[];
}
const figures: Figures = {
  plugToSyncS: [],
  plugToSyncHostS: [],
  cleanToMailS: [],
  pauseWindowS: [],
  returningResyncPct: [],
};

class Check extends Error {}
function expect(cond: unknown, what: string): void {
  if (!cond) throw new Check(what);
}

interface HistoryEntry {
  id: string;
  set: string;
  outcome: string;
  pauseWindowMs?: number;
  resyncBytes?: number;
  joinMode?: string;
  syncEndedAt?: string;
  summary: string;
}

async function status(
  s: LabSession,
): Promise<{ rotation: { set: string; phase: string } | null; history: HistoryEntry[]; waiting: string[] }> {
  return JSON.parse((await s.vm.exec(['baysync', 'status', '--json'])).stdout);
}

/**
 * Plug a set and return seconds until md started the recovery, both taken in the guest: the
 * guest's clock just before the first disk is hot-plugged (an exec round trip earlier than the
 * plug itself, so the figure errs long), and the kernel's "md: recovery of RAID array" line. The
 * host polls sysfs meanwhile only to know that it happened (its 0.3-0.5 s exec round trips would
 * blur the figure).
 */
async function plugAndTimeSync(s: LabSession, set: SetName): Promise<{ seconds: number; hostSeconds: number }> {
  const md = set === 'A' ? 'md5' : 'md6';
  const t0 = Number((await s.vm.exec(['date', '+%s.%N'])).stdout);
  const hostT0 = Date.now();
  await s.plug(set);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await s.vm.exec(['cat', `/sys/block/${md}/md/sync_action`, `/sys/block/${md}/md/degraded`], {
      allowFailure: true,
    });
    const [action, degraded] = r.stdout.split('\n');
    if (action === 'recover' || action === 'resync' || degraded === '0') break;
    if (Date.now() > deadline) throw new Check(`the sync of set ${set} did not start within 120 s`);
    await sleep(100);
  }
  const hostSeconds = (Date.now() - hostT0) / 1000;
  /** Guest journal entries from t0 on: epoch seconds and the rest of the short-unix line. */
  const journal = async (...args: string[]): Promise<Array<{ t: number; text: string }>> =>
    (
      await s.vm.exec(
        ['journalctl', '-b', '--no-pager', '-o', 'short-unix', '--since', `@${Math.floor(t0)}`, ...args],
        { allowFailure: true },
      )
    ).stdout
      .split('\n')
      .map((l) => ({ t: Number(l.split(' ')[0]), text: l.slice(l.indexOf(' ') + 1) }))
      .filter((e) => e.t >= t0);
  const started = (await journal('-k', '--grep', `md: recovery of RAID array ${md}`))[0]?.t;
  if (process.env.E2E_TRACE === '1') {
    // Every journal line from the plug-in to the sync start, to see where the time goes.
    const lines = (await journal()).filter((e) => started === undefined || e.t <= started + 0.01);
    log(`trace of set ${set}'s plug-in:\n${lines.map((e) => `+${(e.t - t0).toFixed(3)} ${e.text}`).join('\n')}`);
  }
  // A returning set with nothing to resync may leave no recovery line: the host's time then.
  return { seconds: started === undefined ? hostSeconds : started - t0, hostSeconds };
}

async function waitMail(s: LabSession, subject: RegExp, before: number, timeoutMs = 600_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while ((await mailCount(s, subject)) <= before) {
    if (Date.now() > deadline) throw new Check(`no mail matching ${subject} within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
  return (await lastMail(s, subject)) ?? '';
}

/** Guest epoch seconds of exim's delivery of the newest mail to root. */
async function lastDeliveryEpoch(s: LabSession): Promise<number> {
  const r = await s.vm.exec(['tail', '-n', '50', '/var/log/exim4/mainlog']);
  const lines = r.stdout.split('\n').filter((l) => l.includes('<root@localhost>') && l.includes(' => '));
  const last = lines.at(-1);
  if (!last) throw new Check('no delivery in the exim log');
  return Date.parse(`${last.slice(0, 19).replace(' ', 'T')}Z`) / 1000;
}

const manifestScript = `import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
const root = process.argv[2];
const out = [];
const walk = (d) => { for (const e of readdirSync(join(root, d)).sort()) { const p = d ? d + '/' + e : e; const st = statSync(join(root, p)); if (st.isDirectory()) walk(p); else if (st.isFile()) out.push(createHash('sha256').update(readFileSync(join(root, p))).digest('hex') + '  ' + p); } };
walk('');
process.stdout.write(out.join('\\n') + '\\n');
`;

async function manifest(s: LabSession, dir: string): Promise<string> {
  return (await s.vm.exec(['/usr/local/bin/node', '/root/manifest.mjs', dir])).stdout;
}

/**
 * Mount the detached copy of a set read-only, independently of baysync, and return its manifest
 * of `sub`. The daemon is masked meanwhile (it would rotate the replugged set again), and the
 * set is re-plugged because baysync's spin-down removed its disks from the guest. Leaves the set
 * unplugged and the daemon running.
 */
async function copyManifest(s: LabSession, set: SetName, sub: string): Promise<string> {
  await s.vm.exec(['systemctl', 'mask', '--runtime', 'baysync.service']);
  await s.vm.exec(['systemctl', 'stop', 'baysync.service']);
  try {
    await s.unplug(set);
    await s.plug(set);
    const serials = set === 'A' ? 'A0|A1' : 'B0|B1';
    const deadline = Date.now() + 60_000;
    for (;;) {
      const l = (await s.vm.exec(['lsblk', '-n', '-o', 'SERIAL'])).stdout;
      if ((l.match(new RegExp(`^(${serials})$`, 'gm')) ?? []).length === 2) break;
      if (Date.now() > deadline) throw new Check(`set ${set} did not reappear`);
      await sleep(500);
    }
    await sleep(1000);
    return await readCopy(s, set, sub);
  } finally {
    await s.unplug(set).catch(() => undefined);
    await s.vm.exec(['systemctl', 'unmask', '--runtime', 'baysync.service']);
    await s.vm.exec(['systemctl', 'start', 'baysync.service']);
    await s.waitFor(['baysync', 'status'], 'the daemon', 60_000);
  }
}

/**
 * Mount the detached copy of a set read-only, as baysync's verification does, around `fn`: the
 * stripe assembled --readonly, a read-only loop at the nested data offset, XFS ro,norecovery.
 */
async function withCopyMounted<T>(s: LabSession, set: SetName, fn: (mnt: string) => Promise<T>): Promise<T> {
  const md = set === 'A' ? 'md8' : 'md9';
  const mirror = set === 'A' ? 'md5' : 'md6';
  const uuid = set === 'A' ? s.topo.uuids.md8 : s.topo.uuids.md9;
  const lsblk = JSON.parse((await s.vm.exec(['lsblk', '--json', '--list', '-o', 'KNAME,SERIAL'])).stdout) as {
    blockdevices: Array<{ kname: string; serial: string | null }>;
  };
  const serials = set === 'A' ? ['A0', 'A1'] : ['B0', 'B1'];
  const disks = lsblk.blockdevices.filter((d) => d.serial && serials.includes(d.serial)).map((d) => d.kname);
  expect(disks.length === 2, `set ${set} disks visible for the copy check (found ${disks.join(',')})`);
  await s.vm.exec([
    'mdadm',
    '--assemble',
    `/dev/${md}`,
    '--readonly',
    '--run',
    `--uuid=${uuid}`,
    ...disks.map((d) => `/dev/${d}2`),
  ]);
  try {
    const offset = async (dev: string): Promise<number> =>
      Number(/Data Offset : (\d+) sectors/.exec((await s.vm.exec(['mdadm', '--examine', dev])).stdout)?.[1]);
    const loop = (
      await s.vm.exec([
        'losetup',
        '--read-only',
        '--find',
        '--show',
        `--offset=${((await offset(`/dev/${md}`)) + (await offset(`/dev/${mirror}`))) * 512}`,
        `/dev/${md}`,
      ])
    ).stdout.trim();
    await s.vm.exec(['mkdir', '-p', '/mnt/e2e-copy']);
    await s.vm.exec(['mount', '-t', 'xfs', '-o', 'ro,norecovery,nouuid', loop, '/mnt/e2e-copy']);
    try {
      return await fn('/mnt/e2e-copy');
    } finally {
      await s.vm.exec(['umount', '/mnt/e2e-copy']);
      await s.vm.exec(['losetup', '--detach', loop]);
    }
  } finally {
    await s.vm.exec(['mdadm', '--stop', `/dev/${md}`], { allowFailure: true });
  }
}

const readCopy = (s: LabSession, set: SetName, sub: string): Promise<string> =>
  withCopyMounted(s, set, (mnt) => manifest(s, `${mnt}/${sub}`));

async function writeData(s: LabSession, mib: number, name: string): Promise<void> {
  await s.vm.exec(['mkdir', '-p', '/var/lib/backuppc/e2e-data']);
  await s.vm.exec([
    'dd',
    'if=/dev/urandom',
    `of=/var/lib/backuppc/e2e-data/${name}`,
    'bs=1M',
    `count=${mib}`,
    'conv=fsync',
    'status=none',
  ]);
}

/** A full rotation with figures; returns the history entry. */
async function rotation(s: LabSession, set: SetName): Promise<HistoryEntry> {
  const subject = new RegExp(`set ${set}: offline copy done`);
  const before = await mailCount(s, subject);
  const plugged = await plugAndTimeSync(s, set);
  figures.plugToSyncS.push(plugged.seconds);
  figures.plugToSyncHostS.push(plugged.hostSeconds);
  await waitMail(s, subject, before);
  const delivered = await lastDeliveryEpoch(s);
  const h = (await status(s)).history.find((x) => x.set === set)!;
  expect(h.outcome === 'success', `set ${set} rotation succeeded (${h.summary})`);
  if (h.syncEndedAt) figures.cleanToMailS.push(delivered - Date.parse(h.syncEndedAt) / 1000);
  if (h.pauseWindowMs !== undefined) figures.pauseWindowS.push(h.pauseWindowMs / 1000);
  return h;
}

const arrayBytes = async (s: LabSession): Promise<number> =>
  Number((await s.vm.exec(['cat', '/sys/block/md5/md/component_size'])).stdout) * 1024;

const killerScript = `import { watch, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const phase = process.argv[2];
const check = () => {
  try {
    const s = JSON.parse(readFileSync('/var/lib/baysync/state.json', 'utf8'));
    if (s.rotation && s.rotation.phase === phase) {
      const pid = Number(execFileSync('systemctl', ['show', '-p', 'MainPID', '--value', 'baysync']).toString());
      process.kill(pid, 'SIGKILL');
      process.stdout.write('killed ' + pid + ' in ' + phase + '\\n');
      process.exit(0);
    }
  } catch {}
};
watch('/var/lib/baysync', check);
setInterval(check, 10);
writeFileSync('/root/killer.ready', String(process.pid));
setTimeout(() => process.exit(2), 240000);
`;

/**
 * Evidence for a failed verification, while the set is still plugged in (a failed copy is not
 * spun down): for each mismatched file, its times in the live pool against the detach, and
 * where the copy differs. Read with the daemon masked, as copyManifest does.
 */
async function diagnoseVerify(s: LabSession, h: HistoryEntry): Promise<string> {
  const journal =
    (
      await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '--grep', 'verification FAILED'], {
        allowFailure: true,
      })
    ).stdout
      .trim()
      .split('\n')
      .at(-1) ?? '';
  const files = (JSON.parse(/mismatched=(\[[^\]]*\])/.exec(journal)?.[1] ?? '[]') as string[]).slice(0, 6);
  const out: string[] = [`rotation ${h.id}: ${JSON.stringify(h)} (the detach began at the end of the sync)`];
  await s.vm.exec(['systemctl', 'mask', '--runtime', 'baysync.service']);
  await s.vm.exec(['systemctl', 'stop', 'baysync.service']);
  try {
    await s.vm.exec(['mdadm', '--stop', '/dev/md8'], { allowFailure: true }); // a verification cut short leaves it assembled
    await withCopyMounted(s, 'A', async (mnt) => {
      for (const f of files) {
        const live = `/var/lib/backuppc/${f}`;
        const copy = `${mnt}/${f}`;
        const st = (
          await s.vm.exec(['stat', '-c', '%s bytes, mtime %.9Y, ctime %.9Z, inode %i', live, copy], {
            allowFailure: true,
          })
        ).stdout
          .trim()
          .replace('\n', ' | copy: ');
        const cmp = (await s.vm.exec(['cmp', '-l', live, copy], { allowFailure: true })).stdout
          .split('\n')
          .filter(Boolean);
        out.push(`${f}: live: ${st}; ${cmp.length} bytes differ, first at ${cmp[0]?.trim().split(/\s+/)[0] ?? '-'}`);
      }
    });
    out.push(
      (
        await s.vm.exec(['journalctl', '-k', '-b', '--no-pager', '-o', 'short-precise', '--grep', 'md5|md8|XFS'], {
          allowFailure: true,
        })
      ).stdout
        .split('\n')
        .slice(-30)
        .join('\n'),
    );
  } catch (e) {
    out.push(`diagnosis stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await s.vm.exec(['systemctl', 'unmask', '--runtime', 'baysync.service']);
  }
  return out.join('\n');
}

async function waitIdle(s: LabSession, set: SetName, timeoutMs = 600_000): Promise<HistoryEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await status(s).catch(() => undefined);
    if (st && !st.rotation && st.history[0]?.set === set) return st.history[0];
    if (Date.now() > deadline) throw new Check(`rotation of set ${set} did not end`);
    await sleep(1000);
  }
}

const scenarios: Record<string, (s: LabSession) => Promise<void>> = {
  /** 1. A, then B, then A again: manifests match the detached copies; the return is a bitmap re-add. */
  'full-rotation-A-B-A': async (s) => {
    await s.vm.writeFile('/root/manifest.mjs', manifestScript);
    await writeData(s, 8, 'base.bin');
    let m = await manifest(s, '/var/lib/backuppc/e2e-data');
    await rotation(s, 'A');
    expect(
      (await copyManifest(s, 'A', 'e2e-data')) === m,
      'the copy on set A matches the manifest taken before its rotation',
    );
    // 1 % of the array is written between A's copy and its return, half before B's rotation and
    // half after it; BackupPC's own dumps (every 2 minutes) write to the pool as well.
    const size = await arrayBytes(s);
    const changed = Math.max(2, Math.round((size * 0.01) / 1048576));
    await writeData(s, Math.floor(changed / 2), 'after-A.bin');
    m = await manifest(s, '/var/lib/backuppc/e2e-data');
    await rotation(s, 'B');
    expect((await copyManifest(s, 'B', 'e2e-data')) === m, 'the copy on set B matches its manifest');
    await writeData(s, changed - Math.floor(changed / 2), 'after-B.bin');
    m = await manifest(s, '/var/lib/backuppc/e2e-data');
    const h = await rotation(s, 'A');
    expect(h.joinMode === 're-add', `set A came back as a bitmap re-add (was ${h.joinMode})`);
    const pct = (100 * (h.resyncBytes ?? size)) / size;
    figures.returningResyncPct.push(pct);
    expect(
      (h.resyncBytes ?? size) <= 2 * changed * 1048576 + 8 * 1048576,
      `resync ${(h.resyncBytes ?? 0) / 1048576} MiB is about the data written since (${changed} MiB, and BackupPC's dumps)`,
    );
    expect((await copyManifest(s, 'A', 'e2e-data')) === m, 'the returning copy on set A matches its manifest');
  },

  /** 2. The daemon is SIGKILLed once in each phase; systemd restarts it and the rotation completes. */
  'sigkill-each-phase': async (s) => {
    await s.vm.writeFile('/root/killer.mjs', killerScript);
    // syncing first: the first rotation of a set is a full recovery, long enough to be caught.
    // E2E_KILL_PHASES=a,b picks phases (for investigating one; the first rotation is a full copy).
    const phases = process.env.E2E_KILL_PHASES?.split(',') ?? [
      'syncing',
      'assembling',
      'joining',
      'pausing',
      'detaching',
      'verifying',
      'spinning-down',
      'reporting',
    ];
    for (const phase of phases) {
      // Under TCG a full recovery of the lab array takes about 5 s, often less than the steps
      // before the wait: md's own speed limit makes the syncing phase long enough to be caught.
      await s.vm.exec(['sysctl', '-q', '-w', `dev.raid.speed_limit_max=${phase === 'syncing' ? 10000 : 200000}`]);
      await writeData(s, 2, `kill-${phase}.bin`);
      await s.vm.exec(['rm', '-f', '/root/killer.ready']);
      const { pid } = await s.vm.startBackground(['/usr/local/bin/node', '/root/killer.mjs', phase]);
      // The daemon reaches the early phases within a second of the plug-in; under TCG Node takes
      // about as long to start, so the killer must be watching before the set is plugged in.
      await s.waitFor(['test', '-e', '/root/killer.ready'], 'the killer to watch the state', 60_000);
      const before = await mailCount(s, /set A: offline copy done/);
      await s.plug('A');
      const killed = await s.vm.waitBackground(pid, 240_000);
      expect(
        killed.exitCode === 0,
        `the daemon was killed in phase ${phase} (${killed.stdout.trim() || 'phase not seen'})`,
      );
      const h = await waitIdle(s, 'A', 300_000);
      if (/verification failed/i.test(h.summary))
        throw new Check(
          `after a kill in ${phase} the verification failed (${h.summary})\n${await diagnoseVerify(s, h)}`,
        );
      await waitMail(s, /set A: offline copy done/, before, 300_000);
      expect(h.outcome === 'success', `after a kill in ${phase} the rotation completed (${h.summary})`);
      const ctl = await s.vm.readFile('/etc/backuppc/external-control.pl');
      expect(/BackupsDisable\} = 0/.test(ctl), `BackupPC dumps enabled after a kill in ${phase}`);
      expect(
        (await s.vm.exec(['systemctl', 'is-active', 'backuppc'], { allowFailure: true })).stdout.trim() === 'active',
        `BackupPC running after a kill in ${phase}`,
      );
      await s.unplug('A');
      log(`  killed in ${phase}: completed`);
    }
  },

  /** 3. Hard reset mid-sync: internal arrays intact, no auto-assembly at boot; restarting the service resumes. */
  'hard-reset-mid-sync': async (s) => {
    await s.vm.writeFile('/root/manifest.mjs', manifestScript);
    await writeData(s, 96, 'before-reset.bin');
    const m = await manifest(s, '/var/lib/backuppc/e2e-data');
    await s.vm.exec(['sysctl', '-q', '-w', 'dev.raid.speed_limit_max=10000']); // the reset must land mid-sync
    await plugAndTimeSync(s, 'A');
    // Hold the daemon at the next boot (a start condition; the hotplug units would pull it in
    // otherwise), so that the boot itself can be checked; starting it is the operator's resume.
    await s.vm.exec(['mkdir', '-p', '/etc/systemd/system/baysync.service.d']);
    await s.vm.writeFile(
      '/etc/systemd/system/baysync.service.d/lab-hold.conf',
      '[Unit]\nConditionPathExists=!/etc/baysync/lab-hold\n',
    );
    await s.vm.writeFile('/etc/baysync/lab-hold', '');
    await s.vm.exec(['systemctl', 'daemon-reload']);
    await s.vm.exec(['sync']);
    await s.vm.hardReset();
    await s.waitFor(['mountpoint', '-q', '/var/lib/backuppc'], 'the pool after the reset', 180_000);
    const mdstat = (await s.vm.exec(['cat', '/proc/mdstat'])).stdout;
    expect(!/^md8 /m.test(mdstat), 'the external stripe was not assembled at boot');
    const md5 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md5'])).stdout;
    expect(/MD_DEVICE_dev_md3_ROLE=0/.test(md5) && !/md8/.test(md5), 'md5 came up from its internal half only');
    expect((await manifest(s, '/var/lib/backuppc/e2e-data')) === m, 'the live pool is intact after the reset');
    expect(
      (await s.vm.exec(['systemctl', 'is-active', 'baysync'], { allowFailure: true })).stdout.trim() !== 'active',
      'the daemon was held at boot',
    );
    await s.vm.exec(['rm', '/etc/baysync/lab-hold']);
    await s.vm.exec(['systemctl', 'start', 'baysync.service']);
    // What md did with the partly recovered member after the reset (for the failure message).
    const mdState = async (): Promise<string> => {
      const k = (
        await s.vm.exec(
          ['journalctl', '-k', '-b', '--no-pager', '-o', 'short-monotonic', '--grep', 'md5|md8|recovery|bitmap'],
          { allowFailure: true },
        )
      ).stdout
        .split('\n')
        .slice(-25)
        .join('\n');
      const sys = await Promise.all(
        ['sync_action', 'degraded', 'dev-md8/state', 'dev-md8/recovery_start', 'dev-md8/slot', 'recovery_start'].map(
          async (f) =>
            `${f}=${(await s.vm.exec(['cat', `/sys/block/md5/md/${f}`], { allowFailure: true })).stdout.trim()}`,
        ),
      );
      const mdstat = (await s.vm.exec(['cat', '/proc/mdstat'], { allowFailure: true })).stdout;
      return `${mdstat}\n${sys.join(' ')}\n${k}`;
    };
    // A resumed rotation of this size ends in about 2 minutes; 5 keep CI short when it does not.
    const wait = (): Promise<HistoryEntry> =>
      waitIdle(s, 'A', 300_000).catch(async (e: unknown) => {
        throw new Check(`${e instanceof Error ? e.message : String(e)}; md after the resume:\n${await mdState()}`);
      });
    let h = await wait();
    // After the power cut md may start the top mirror md7 on md6 alone: md5 (and the copy being
    // made of it) is then stale. The daemon must refuse to finish such a copy and say what to do.
    const md7 = (await s.vm.exec(['cat', '/proc/mdstat'])).stdout.match(/^md7 : .*$/m)?.[0] ?? '';
    log(`hard reset: after the boot ${md7 || 'md7 not found'}; first resumed rotation ${h.outcome}: ${h.summary}`);
    if (!md7.includes('md5[')) {
      expect(
        h.outcome === 'aborted' && /not an in-sync member of the top mirror md7/.test(h.summary),
        `md7 came up without md5; the resumed rotation must abort with the reason (got ${h.outcome}: ${h.summary})`,
      );
      // The operator is told that the pool runs without md5, and monitoring says CRITICAL.
      await waitMail(s, /runs without one of its mirrors/, 0, 120_000);
      const check = await s.vm.exec(['baysync', 'check'], { allowFailure: true });
      expect(
        check.exitCode === 2 && /md5 is not an in-sync member of the top mirror md7/.test(check.stdout),
        `baysync check is CRITICAL about md5 (exit ${check.exitCode}: ${check.stdout.trim()})`,
      );
      // The operator follows the mail: md5 back into md7, wait for md7, rotate again.
      const re = await s.vm.exec(['mdadm', '/dev/md7', '--re-add', '/dev/md5'], { allowFailure: true });
      if (re.exitCode !== 0) await s.vm.exec(['mdadm', '/dev/md7', '--add', '/dev/md5']);
      await s.vm.exec(['mdadm', '--wait', '/dev/md7'], { allowFailure: true, timeoutMs: 600_000 });
      const abortedId = h.id;
      await s.vm.exec(['baysync', 'rotate', 'start', '--set', 'A']);
      const deadline = Date.now() + 300_000;
      for (;;) {
        const st = await status(s).catch(() => undefined);
        if (st && !st.rotation && st.history[0] && st.history[0].id !== abortedId) {
          h = st.history[0];
          break;
        }
        if (Date.now() > deadline)
          throw new Check(`the rotation after the operator's fix did not end; md:\n${await mdState()}`);
        await sleep(1000);
      }
    }
    log(`hard reset: final rotation ${h.outcome} (${h.joinMode}): ${h.summary}`);
    const kmsg = await mdState();
    expect(h.outcome === 'success', `the rotation completed (${h.summary}; md:\n${kmsg})`);
    expect((await copyManifest(s, 'A', 'e2e-data')) === m, `the copy matches the manifest (md:\n${kmsg})`);
    const ctl = await s.vm.readFile('/etc/backuppc/external-control.pl');
    expect(/BackupsDisable\} = 0/.test(ctl), 'BackupPC dumps enabled again');
  },

  /** 6. A BackupPC dump runs at plug-in: it completes normally, and no new dump starts until the detach. */
  'dump-running-at-plug-in': async (s) => {
    for (let i = 0; i < 6; i++)
      await s.vm.exec(['dd', 'if=/dev/urandom', `of=/srv/data/big${i}.bin`, 'bs=1M', 'count=16', 'status=none']);
    await s.vm.exec(['chmod', '-R', 'a+rX', '/srv/data']);
    const backups = async (): Promise<Array<{ num: number; start: number; end: number }>> => {
      const r = await s.vm.exec(['cat', '/var/lib/backuppc/pc/localhost/backups'], { allowFailure: true });
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
        .map((f) => ({ num: Number(f[0]), start: Number(f[2]), end: Number(f[3]) }));
    };
    // BackupPC's LOG, as [epoch, text] (the guest runs in UTC).
    const logLines = async (): Promise<Array<[number, string]>> =>
      (await s.vm.exec(['cat', '/var/lib/backuppc/log/LOG'], { allowFailure: true })).stdout
        .split('\n')
        .map((l) => /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [Date.parse(`${m[1]}T${m[2]}Z`) / 1000, m[3]!] as [number, string]);
    const started = async (): Promise<number> =>
      (await logLines()).filter(([, t]) => /^Started \w+ backup on localhost/.test(t)).length;
    await s.waitFor(['test', '-S', '/run/backuppc/BackupPC.sock'], 'the BackupPC server', 120_000);
    const n0 = await started();
    await s.vm.exec([
      'runuser',
      '-u',
      'backuppc',
      '--',
      '/usr/share/backuppc/bin/BackupPC_serverMesg',
      'backup',
      'localhost',
      'localhost',
      'backuppc',
      '1',
    ]);
    // Our dump has begun its transfer (a scheduled wakeup may also run one: count, do not grep).
    for (let i = 0; i < 240 && (await started()) <= n0; i++) await sleep(500);
    expect((await started()) > n0, 'the requested dump started');
    const before = await backups();
    const plugEpoch = Number((await s.vm.exec(['date', '+%s'])).stdout);
    await s.plug('A');
    const h = await waitIdle(s, 'A');
    expect(h.outcome === 'success', `rotation succeeded (${h.summary})`);
    const after = await backups();
    const log = await logLines();
    const logText = log
      .slice(-15)
      .map(([e, t]) => `${e} ${t}`)
      .join('\n');
    // BackupPC 4 lists a running dump with end 0; it counts as finished once its end is set.
    const finished = after.filter((b) => b.end > 0 && !before.some((x) => x.num === b.num && x.end > 0));
    expect(
      finished.some((b) => b.start <= plugEpoch || before.some((x) => x.num === b.num && x.end === 0)),
      `the dump running at plug-in completed normally (plug-in ${plugEpoch}; backups before ${JSON.stringify(before)}, after ${JSON.stringify(after)}; BackupPC LOG:\n${logText})`,
    );
    // From the pause (the server's config reload after the plug-in) to the detach, no dump starts.
    const pauseAt = log.find(([e, t]) => e >= plugEpoch && /^Reloading config\/host files/.test(t))?.[0];
    expect(pauseAt !== undefined, 'BackupPC was told to pause (config reload after the plug-in)');
    const detachEpoch = h.syncEndedAt ? Date.parse(h.syncEndedAt) / 1000 : Infinity;
    expect(
      !log.some(([e, t]) => e > pauseAt! && e < detachEpoch && /^Started \w+ backup/.test(t)),
      `no dump started between the pause and the detach (LOG:\n${logText})`,
    );
  },

  /** 4. A disk of the set is pulled mid-sync: abort mail, BackupPC enabled, internal side untouched. */
  'surprise-removal': async (s) => {
    await writeData(s, 64, 'big.bin'); // enough dirty data that the first sync takes a while
    const before = await mailCount(s, /ABORTED/);
    await plugAndTimeSync(s, 'A');
    await s.vm.unplug('a1');
    await waitMail(s, /set A: rotation ABORTED/, before, 180_000);
    const ctl = await s.vm.readFile('/etc/backuppc/external-control.pl');
    expect(/BackupsDisable\} = 0/.test(ctl), 'BackupPC dumps enabled again');
    expect(
      (await s.vm.exec(['systemctl', 'is-active', 'backuppc'], { allowFailure: true })).stdout.trim() === 'active',
      'BackupPC running',
    );
    const md5 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md5'])).stdout;
    expect(!/md8/.test(md5) && /MD_DEVICE_dev_md3_ROLE=0/.test(md5), 'md5 holds only its internal half');
    expect(
      (await s.vm.exec(['mountpoint', '-q', '/var/lib/backuppc'], { allowFailure: true })).exitCode === 0,
      'the pool is still mounted',
    );
  },

  /** 5. An unknown md member and a blank disk stay byte-for-byte untouched. */
  'foreign-disks-untouched': async (s) => {
    const { execa } = await import('execa');
    const dir = s.dir;
    const foreign = join(dir, 'foreign.qcow2');
    const blank = join(dir, 'blank.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', blank, '64M']);
    // A disk carrying an md superblock of an array nobody configured: built in the guest first.
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', foreign, '64M']);
    await s.vm.plug({ id: 'foreign', file: foreign });
    await sleep(2000);
    const lsblk = JSON.parse((await s.vm.exec(['lsblk', '--json', '--list', '-o', 'KNAME,SERIAL'])).stdout) as {
      blockdevices: Array<{ kname: string; serial: string | null }>;
    };
    const fdev = lsblk.blockdevices.find((d) => d.serial === 'FOREIGN')!.kname;
    await s.vm.exec([
      'mdadm',
      '--create',
      '/dev/md100',
      '--run',
      '--level=1',
      '--raid-devices=2',
      '--metadata=1.2',
      `/dev/${fdev}`,
      'missing',
    ]);
    await s.vm.exec(['mdadm', '--stop', '/dev/md100']);
    await s.vm.exec(['sync']);
    await s.vm.unplug('foreign');
    const hash = async (f: string): Promise<string> => {
      const raw = join(dir, `${Date.now()}.raw`);
      await execa('qemu-img', ['convert', '-O', 'raw', f, raw]);
      const h = createHash('sha256').update(readFileSync(raw)).digest('hex');
      (await import('node:fs')).rmSync(raw);
      return h;
    };
    const before = { foreign: await hash(foreign), blank: await hash(blank) };
    await s.vm.plug({ id: 'foreign', file: foreign });
    await s.vm.plug({ id: 'blank', file: blank });
    await sleep(8000);
    const st = await status(s);
    expect(st.rotation === null, 'no rotation started for foreign disks');
    await s.vm.unplug('foreign');
    await s.vm.unplug('blank');
    expect((await hash(foreign)) === before.foreign, 'the unknown md member is byte-for-byte unchanged');
    expect((await hash(blank)) === before.blank, 'the blank disk is byte-for-byte unchanged');
  },

  /** 7. The MTA is down during the rotation: the rotation completes, the mail arrives once it is back. */
  'mta-down': async (s) => {
    const mode = (await s.vm.exec(['stat', '-c', '%a', '/usr/sbin/exim4'])).stdout.trim(); // 4755: exim is setuid root
    await s.vm.exec(['systemctl', 'stop', 'exim4']);
    await s.vm.exec(['chmod', '0', '/usr/sbin/exim4']); // sendmail itself fails, not only the daemon
    const before = await mailCount(s, /set A: offline copy done/);
    await plugAndTimeSync(s, 'A');
    const deadline = Date.now() + 600_000;
    for (;;) {
      const st = await status(s);
      if (!st.rotation && st.history[0]?.set === 'A') {
        expect(st.history[0].outcome === 'success', 'rotation completed with the MTA down');
        break;
      }
      if (Date.now() > deadline) throw new Check('rotation did not complete');
      await sleep(2000);
    }
    expect((await mailCount(s, /set A: offline copy done/)) === before, 'no mail while the MTA is down');
    await s.vm.exec(['chmod', mode, '/usr/sbin/exim4']);
    await s.vm.exec(['systemctl', 'start', 'exim4']);
    await waitMail(s, /set A: offline copy done/, before, 180_000);
  },

  /** 8. Both sets plugged in at once: one rotates, the other waits and the operator is told. */
  'both-sets-at-once': async (s) => {
    const beforeA = await mailCount(s, /set A: offline copy done/);
    const beforeB = await mailCount(s, /set B: offline copy done/);
    await s.plug('A');
    await s.plug('B');
    await waitMail(s, /set [AB] waits/, 0, 120_000);
    const st = await status(s);
    expect(
      st.rotation !== null && st.waiting.length === 1,
      `one rotates, one waits (rotating ${st.rotation?.set}, waiting ${st.waiting.join(',')})`,
    );
    await waitMail(s, /set A: offline copy done/, beforeA);
    await waitMail(s, /set B: offline copy done/, beforeB);
    const md9 = (await s.vm.exec(['cat', '/proc/mdstat'])).stdout;
    expect(!/^md[89] /m.test(md9), 'both stripes stopped at the end');
  },
};

/** Run fn; past limitMs, call onLimit (which must make fn fail soon) and reject at once. */
async function withinLimit(fn: () => Promise<void>, limitMs: number, onLimit: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void onLimit().finally(() =>
        reject(new Error(`scenario time limit (${limitMs / 60_000} min) reached; the VM was killed`)),
      );
    }, limitMs);
  });
  const run = fn();
  run.catch(() => undefined); // once the limit has fired, the orphaned run's failure is expected
  try {
    await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const only = process.env.E2E_ONLY?.split(',').filter(Boolean);
const scenarioLimitMs = Number(process.env.E2E_SCENARIO_LIMIT_MIN ?? 12) * 60_000;
const budgetMs = Number(process.env.E2E_BUDGET_MIN ?? 45) * 60_000;
const results: Array<{ name: string; ok: boolean; error?: string; seconds: number }> = [];
const started = Date.now();
// Image and topology are built (or found in the cache) once, outside the scenario limit.
await ensurePrerequisites();
await ensureTopology(await ensureImage(), labCacheDir());
for (const [name, run] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  if (Date.now() - started > budgetMs) {
    const error = `not run: the e2e time budget (${budgetMs / 60_000} min) was spent`;
    results.push({ name, ok: false, error, seconds: 0 });
    log(`FAIL ${name}: ${error}`);
    continue;
  }
  const t0 = Date.now();
  const s = new LabSession(`e2e-${name}`);
  try {
    await withinLimit(
      async () => {
        await s.start();
        await installBaysync(s);
        await run(s);
      },
      scenarioLimitMs,
      async () => {
        await s.vm?.kill();
      },
    );
    results.push({ name, ok: true, seconds: (Date.now() - t0) / 1000 });
    log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    results.push({ name, ok: false, error: msg, seconds: (Date.now() - t0) / 1000 });
    log(`FAIL ${name}: ${msg}`);
    try {
      log(
        (
          await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '-n', '40'], {
            allowFailure: true,
          })
        ).stdout,
      );
    } catch {
      // the guest may be gone
    }
  } finally {
    await s.close(process.env.LAB_KEEP === '1');
  }
}

const med = (a: number[]): string =>
  a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1) : '-';
const max = (a: number[]): string =>
  a.length ? `${Math.max(...a).toFixed(1)} s [${a.map((x) => x.toFixed(1)).join(', ')}]` : '-';
const out: string[] = ['', 'e2e figures (lab VM, TCG, 2 vCPUs)'];
out.push(
  `  plug-in -> sync started:           median ${med(figures.plugToSyncS)} s, max ${max(figures.plugToSyncS)} (target < 3 s; n=${figures.plugToSyncS.length})`,
);
out.push(
  `    (seen from the host, QMP and polling included: median ${med(figures.plugToSyncHostS)} s, max ${max(figures.plugToSyncHostS)})`,
);
out.push(
  `  mirror clean -> mail delivered:     median ${med(figures.cleanToMailS)} s, max ${max(figures.cleanToMailS)} (target < 20 s; n=${figures.cleanToMailS.length})`,
);
out.push(
  `  BackupPC stopped-window (detach):   median ${med(figures.pauseWindowS)} s, max ${max(figures.pauseWindowS)} (target < 15 s; n=${figures.pauseWindowS.length})`,
);
out.push(
  `  returning-set resync, 1% changed:   ${figures.returningResyncPct.map((p) => `${p.toFixed(1)} %`).join(', ') || '-'} of the array (target < 5 %)`,
);
out.push(
  '',
  ...results.map(
    (r) => `  ${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds.toFixed(0)} s)${r.error ? `: ${r.error}` : ''}`,
  ),
);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
out.push(`  total ${((Date.now() - started) / 60000).toFixed(1)} min`);
process.stdout.write(`${out.join('\n')}\n${passed} passed, ${failed} failed\n`);
mkdirSync(join(process.cwd(), 'build'), { recursive: true });
writeFileSync(
  join(process.cwd(), 'build', 'e2e-results.json'),
  JSON.stringify({ passed, failed, results, figures }, null, 2),
);
process.exit(failed ? 1 : 0);
