// Lab scenario 'recovery-on-another-pc' (issue 11, section 2): the copy used as the operator
// would on the day they need it. A file is written to the backed-up tree and BackupPC backs it
// up; set A rotates. The server is then shut down and set A's two disks are attached, alone, to
// a fresh VM booted from the plain lab image (a Debian with mdadm and BackupPC, none of the
// server's disks, arrays or configuration). The scenario runs docs/operations.md section 5, the
// route "with a live system's BackupPC tools", command by command with the disk names filled
// in, and the restored file must equal the original. It also mounts the copy's root partition
// directly (md1 has metadata 1.0 in the lab, as the seed's recovery needs).
import { join } from 'node:path';
import { aptGet, log, sleep } from '../../common.js';
import { guestNode } from '../../guest-install.js';
import { ensureImage } from '../../image.js';
import type { LabSession } from '../../session.js';
import { qcow2Overlay, Vm } from '../../vm.js';
import { expect } from '../assert.js';
import { requestBackup } from '../copy.js';
import { rotation } from '../rotation.js';

const probe = 'recovery-probe.bin';

/** `a | b` for two argvs given as JSON, without a shell; exits non-zero if either fails. */
const pipeScript = `import { spawn } from 'node:child_process';
const [a, b] = JSON.parse(process.argv[2]);
const p = spawn(a[0], a.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
const q = spawn(b[0], b.slice(1), { stdio: [p.stdout, 'inherit', 'inherit'] });
const code = (c) => new Promise((r) => c.on('exit', (x) => r(x ?? 1)));
const [x, y] = await Promise.all([code(p), code(q)]);
process.exit(x || y);
`;

async function sha256(s: LabSession, path: string): Promise<string> {
  return (await s.vm.exec(['sha256sum', '--', path])).stdout.split(' ')[0]!;
}

/** Finished backups of localhost, from BackupPC's backups file: [number, start epoch]. */
async function finishedBackups(s: LabSession): Promise<Array<[number, number]>> {
  const r = await s.vm.exec(['cat', '/var/lib/backuppc/pc/localhost/backups'], { allowFailure: true });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .filter((f) => Number(f[3]) >= Number(f[2]))
    .map((f) => [Number(f[0]), Number(f[2])] as [number, number]);
}

export async function run(s: LabSession): Promise<void> {
  // 1. The file to recover, in a finished backup before the rotation.
  await s.vm.exec(['dd', 'if=/dev/urandom', `of=/srv/data/${probe}`, 'bs=64K', 'count=5', 'status=none']);
  await s.vm.exec(['chmod', 'a+r', `/srv/data/${probe}`]);
  const original = await sha256(s, `/srv/data/${probe}`);
  const t0 = Number((await s.vm.exec(['date', '+%s'])).stdout) - 1;
  await requestBackup(s);
  const deadline = Date.now() + 300_000;
  while (!(await finishedBackups(s)).some(([, start]) => start >= t0)) {
    if (Date.now() > deadline) expect(false, `no backup of ${probe} finished within 5 min`);
    await sleep(2000);
  }
  // 2. Set A rotates; the server goes away.
  await rotation(s, 'A');
  await s.vm.shutdown();
  // 3. A fresh PC: the plain image, set A's disks and nothing else.
  const image = await ensureImage();
  const root = join(s.dir, 'rescue-root.qcow2');
  await qcow2Overlay(image.rootfs, root, 'raw');
  s.vm = new Vm(join(s.dir, 'rescue'), image, root, [
    { id: 'a0', file: s.externalFile('a0') },
    { id: 'a1', file: s.externalFile('a1') },
  ]);
  await s.vm.boot();
  const sh = (argv: string[], allowFailure = false) => s.vm.exec(argv, { allowFailure, timeoutMs: 120_000 });
  const lsblk = JSON.parse((await sh(['lsblk', '--json', '-d', '-o', 'NAME,SERIAL'])).stdout) as {
    blockdevices: Array<{ name: string; serial: string | null }>;
  };
  const disk = (serial: string) => lsblk.blockdevices.find((d) => d.serial?.toUpperCase() === serial)?.name;
  const [x, y] = [disk('A0'), disk('A1')];
  expect(x && y, `set A's disks are seen by the fresh PC (${JSON.stringify(lsblk)})`);
  // docs/operations.md section 5, as written.
  log(`fresh PC, before anything: ${(await sh(['cat', '/proc/mdstat'])).stdout}`);
  await sh(['systemctl', 'stop', 'backuppc']);
  // udev's incremental assembly would take each layer as soon as it appears (seen: md100 busy).
  await sh(['sed', '-i', '$a AUTO -all', '/etc/mdadm/mdadm.conf']);
  await sh(['mdadm', '--stop', '--scan'], true);
  const left = (await sh(['cat', '/proc/mdstat'])).stdout;
  expect(!/^md\d+ :/m.test(left), `no array left running after mdadm --stop --scan:\n${left}`);
  await sh(['mkdir', '-p', '/mnt/root']);
  const version = (await sh(['mdadm', '--examine', `/dev/${x}1`])).stdout.match(/Version : (\S+)/)?.[1];
  expect(version === '1.0', `the copy's root partition has metadata 1.0 (${version})`);
  await sh(['mount', '-t', 'ext4', '-o', 'ro,noload', `/dev/${x}1`, '/mnt/root']);
  expect((await sh(['test', '-d', '/mnt/root/lost+found'], true)).exitCode === 0, 'the root partition mounts directly');
  await sh(['mdadm', '--assemble', '--run', '--readonly', '/dev/md100', `/dev/${x}2`, `/dev/${y}2`]);
  await sh(['mdadm', '--assemble', '--run', '--readonly', '/dev/md105', '/dev/md100']);
  await sh(['mdadm', '--assemble', '--run', '--readonly', '/dev/md107', '/dev/md105']);
  await sh(['mount', '-t', 'xfs', '-o', 'ro,norecovery,nouuid', '/dev/md107', '/var/lib/backuppc']);
  const backups = await finishedBackups(s);
  const newest = backups.at(-1)?.[0];
  expect(newest !== undefined, 'the copy lists the backups of localhost');
  const bpc = (tool: string, args: string[]) =>
    sh(['runuser', '-u', 'backuppc', '--', `/usr/share/backuppc/bin/${tool}`, ...args], true);
  const ls = await bpc('BackupPC_ls', ['-h', 'localhost', '-n', String(newest), '-s', '/srv/data', '/']);
  log(`BackupPC_ls of backup ${newest} on the copy:\n${ls.stdout}${ls.stderr}`);
  expect(ls.exitCode === 0 && ls.stdout.includes(probe), `BackupPC_ls lists ${probe} in backup ${newest}`);
  await sh(['mkdir', '-p', '/srv/restore']);
  // The docs' pipeline `BackupPC_tarCreate … | tar -x -C /srv/restore`, piped by node (no shell).
  // The lab's pipe runs on Debian's node, installed from the image's local repository (the
  // guest has no network). Not --no-download: apt 3.0 (Debian 13) then fails on a file:
  // repository's packages ("Pathname to install is not absolute"), as guest-install.ts notes.
  await sh([...aptGet, 'install', '--yes', 'nodejs']);
  await s.vm.writeFile('/root/pipe.mjs', pipeScript);
  const tar = await sh(
    [
      guestNode,
      '/root/pipe.mjs',
      JSON.stringify([
        [
          'runuser',
          '-u',
          'backuppc',
          '--',
          '/usr/share/backuppc/bin/BackupPC_tarCreate',
          '-h',
          'localhost',
          '-n',
          String(newest),
          '-s',
          '/srv/data',
          `/${probe}`,
        ],
        ['tar', '-x', '-C', '/srv/restore'],
      ]),
    ],
    true,
  );
  expect(
    tar.exitCode === 0,
    `BackupPC_tarCreate | tar restored the file (exit ${tar.exitCode}: ${tar.stderr.trim()} ${tar.stdout.trim()})`,
  );
  const restored = await sha256(s, `/srv/restore/${probe}`);
  log(`recovery on another PC: ${probe} restored from backup ${newest} of set A's copy, sha256 ${restored}`);
  expect(restored === original, `the restored file equals the original (${restored} vs ${original})`);
}
