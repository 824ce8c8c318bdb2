// Lab scenario 'copy-lvm' (issue 13): `baysync copy run` on real LVM in the Debian 13 guest. Two
// volume groups on loop devices stand for the primary (vgpri: an XFS pool mounted on /srv/pool,
// and a thin volume) and the secondary (vgsec: the targets); the secondary is reached over the
// guest's own sshd, with two forced-command keys in root's authorized_keys (the receiver, and
// rrsync on the configuration's backup directory). It proves: a classic full copy whose target
// mounts with the snapshot's manifest; a changed pass sending a few chunks; a snapshot that
// overflows while data is written, stopped, removed, and the guard that refuses the next run
// until --clear-guard; a thin volume copied in full, then by thin_delta reading little more than
// the changed blocks, its previous snapshot kept as the base and only that one; promote mounting
// the last verified copy with the primary's BackupPC configuration in place.
import { log, sleep } from '../../common.js';
import { guestNode, labConfig } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { expect } from '../assert.js';
import { manifestScript } from '../copy.js';

const mib = 1048576;

interface RunOut {
  ok: boolean;
  summary: string;
  refused?: string;
  bytesRead?: number;
  chunksSent?: number;
  maxFillPercent?: number;
}

export async function run(s: LabSession): Promise<void> {
  const x = (argv: string[], o: { allowFailure?: boolean; timeoutMs?: number } = {}) => s.vm.exec(argv, o);
  await s.vm.writeFile('/root/manifest.mjs', manifestScript);
  const loop = async (file: string, size: string): Promise<string> => {
    await x(['truncate', '-s', size, file]);
    return (await x(['losetup', '--find', '--show', file])).stdout.trim();
  };
  const pri = await loop('/var/tmp/pri.img', '1400M');
  const sec = await loop('/var/tmp/sec.img', '800M');
  for (const [vg, dev] of [
    ['vgpri', pri],
    ['vgsec', sec],
  ] as const) {
    await x(['pvcreate', '-q', dev!]);
    await x(['vgcreate', '-q', vg, dev!]);
  }
  // XFS on Debian 13 needs 300 MB at least.
  await x(['lvcreate', '-q', '-y', '-n', 'pool', '-L', '320M', 'vgpri']);
  await x(['lvcreate', '-q', '-y', '-n', 'target', '-L', '320M', 'vgsec']);
  await x(['lvcreate', '-q', '-y', '-L', '480M', '-T', 'vgpri/tp']);
  await x(['lvcreate', '-q', '-y', '-V', '320M', '-T', 'vgpri/tp', '-n', 'thinvol']);
  await x(['lvcreate', '-q', '-y', '-n', 'ttarget', '-L', '320M', 'vgsec']);
  for (const [lv, mnt] of [
    ['/dev/vgpri/pool', '/srv/pool'],
    ['/dev/vgpri/thinvol', '/srv/thin'],
  ] as const) {
    await x(['mkfs.xfs', '-q', lv]);
    await x(['mkdir', '-p', mnt]);
    await x(['mount', lv, mnt]);
    await fill(s, mnt, 'first', 60);
  }

  // The secondary's keys: each does one thing.
  const baysync = (await x(['sh', '-c', 'command -v baysync'])).stdout.trim();
  const rrsync = (await x(['sh', '-c', 'command -v rrsync'])).stdout.trim();
  for (const k of ['copy_ed25519', 'copy_config_ed25519'])
    await x(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', `/etc/baysync/${k}`]);
  const pub = async (k: string) => (await x(['cat', `/etc/baysync/${k}.pub`])).stdout.trim();
  await x(['mkdir', '-p', '-m', '700', '/root/.ssh', '/var/lib/baysync/backuppc-config']);
  await s.vm.writeFile(
    '/root/.ssh/authorized_keys',
    `restrict,command="${baysync} copy receive" ${await pub('copy_ed25519')}\n` +
      `restrict,command="${rrsync} /var/lib/baysync/backuppc-config" ${await pub('copy_config_ed25519')}\n`,
  );
  const hostKey = (await x(['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout.split(' ').slice(0, 2).join(' ');
  await s.vm.writeFile('/etc/baysync/known_hosts', `127.0.0.1 ${hostKey}\n`);
  await x(['systemctl', 'start', 'ssh.service']);

  const config = (volume: string, mnt: string, target: string, size = '100%FREE', receive = ''): Promise<void> =>
    s.vm.writeFile(
      '/etc/baysync/baysync.toml',
      labConfig(
        s.topo.uuids,
        `\n[copy]\nvolume = "${volume}"\npool_mountpoint = "${mnt}"\nsnapshot_size = "${size}"\nfill_check_seconds = 1\n[copy.receiver]\nhost = "127.0.0.1"\nuser = "root"\n\n[copy_receive]\ntarget = "${target}"\n${receive}`,
      ),
    );
  const copyRun = async (...extra: string[]): Promise<RunOut> => {
    const r = await x(['baysync', 'copy', 'run', '--json', ...extra], { allowFailure: true, timeoutMs: 900_000 });
    try {
      return JSON.parse(r.stdout) as RunOut;
    } catch {
      throw new Error(`copy run printed no outcome (exit ${r.exitCode}): ${r.stderr.slice(-1500)}`);
    }
  };
  const owned = async (): Promise<string[]> =>
    (await x(['lvs', '--noheadings', '-o', 'lv_name', '-S', 'lv_tags=baysync-copy'])).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const targetManifest = async (target: string): Promise<string> => {
    await x(['mkdir', '-p', '/mnt/target']);
    await x(['mount', '-o', 'ro,norecovery,nouuid', target, '/mnt/target']);
    try {
      return (await x([guestNode, '/root/manifest.mjs', '/mnt/target'])).stdout;
    } finally {
      await x(['umount', '/mnt/target']);
    }
  };
  const manifest = async (dir: string) => (await x([guestNode, '/root/manifest.mjs', dir])).stdout;

  // 1. Classic: the whole volume, then a pass after a small change.
  await config('vgpri/pool', '/srv/pool', '/dev/vgsec/target');
  const plan = await x(['baysync', 'copy', 'run', '--plan']);
  log(`copy-lvm: the plan:\n${plan.stdout}`);
  let m = await manifest('/srv/pool');
  let r = await copyRun();
  log(`copy-lvm: classic full pass: ${JSON.stringify(r)}`);
  expect(r.ok, `the first classic copy ended verified (${r.summary})`);
  expect((await owned()).length === 0, 'no snapshot is left after the run');
  expect((await targetManifest('/dev/vgsec/target')) === m, "the target mounts and its files equal the snapshot's");
  const cfgCopied = await x(['test', '-f', '/var/lib/baysync/backuppc-config/config.pl'], { allowFailure: true });
  expect(cfgCopied.exitCode === 0, "BackupPC's config.pl was copied through the rrsync key");
  await fill(s, '/srv/pool', 'second', 2);
  m = await manifest('/srv/pool');
  r = await copyRun();
  log(`copy-lvm: classic changed pass: ${JSON.stringify(r)}`);
  expect(r.ok && (r.chunksSent ?? 99) < 16, `the changed pass sent a few chunks (${r.chunksSent}): ${r.summary}`);
  expect((await targetManifest('/dev/vgsec/target')) === m, 'the target equals the changed pool');

  // 2. A snapshot too small for what is written during the copy: stopped, removed, guarded.
  await config('vgpri/pool', '/srv/pool', '/dev/vgsec/target', '8M');
  const overflowing = copyRun();
  for (let i = 0; i < 600 && (await owned()).length === 0; i++) await sleep(200);
  await fill(s, '/srv/pool', 'during', 40);
  r = await overflowing;
  log(`copy-lvm: overflow: ${JSON.stringify(r)}`);
  expect(
    !r.ok && /invalidated|full/.test(r.summary),
    `the overflowing copy was stopped with the reason (${r.summary})`,
  );
  expect((await owned()).length === 0, 'the overflowed snapshot was removed');
  r = await copyRun();
  expect(/guard tripped/.test(r.refused ?? ''), `the next run is refused until the guard is cleared (${r.summary})`);
  await config('vgpri/pool', '/srv/pool', '/dev/vgsec/target');
  m = await manifest('/srv/pool');
  r = await copyRun('--clear-guard');
  expect(r.ok, `after --clear-guard the copy ends verified (${r.summary})`);
  expect((await targetManifest('/dev/vgsec/target')) === m, 'the target equals the pool after the guard was cleared');

  // 3. Thin: a full pass, then thin_delta reads about the changed blocks.
  await config('vgpri/thinvol', '/srv/thin', '/dev/vgsec/ttarget');
  r = await copyRun();
  log(`copy-lvm: thin full pass: ${JSON.stringify(r)}`);
  expect(r.ok, `the thin full pass ended verified (${r.summary})`);
  const base = await owned();
  expect(base.length === 1, `one thin snapshot is kept as the base (${base.join(', ')})`);
  await fill(s, '/srv/thin', 'second', 4);
  m = await manifest('/srv/thin');
  r = await copyRun();
  log(`copy-lvm: thin_delta pass: ${JSON.stringify(r)}`);
  expect(r.ok, `the thin_delta pass ended verified (${r.summary})`);
  // 4 MiB of data plus XFS's log and metadata, in 4 MiB chunks: a few chunks, not the volume.
  expect(
    (r.bytesRead ?? Number.POSITIVE_INFINITY) <= 48 * mib,
    `thin_delta's pass read ${r.bytesRead} bytes of 320 MiB for 4 MiB written`,
  );
  const after = await owned();
  expect(after.length === 1 && after[0] !== base[0], `only the new base is kept (${after.join(', ')})`);
  expect((await targetManifest('/dev/vgsec/ttarget')) === m, 'the thin target equals the thin volume');

  // 4. The primary is lost: promote mounts the last verified copy with the primary's config.
  // (Here both ends share a host: the origin is unmounted first, since XFS refuses two mounts of
  // one filesystem UUID.)
  await x(['umount', '/srv/thin']);
  await config('vgpri/thinvol', '/srv/thin', '/dev/vgsec/ttarget', '100%FREE', 'mountpoint = "/srv/promoted"\n');
  const promoted = await x(['baysync', 'copy', 'promote'], { allowFailure: true });
  log(`copy-lvm: promote (exit ${promoted.exitCode}):\n${promoted.stdout}${promoted.stderr.slice(-800)}`);
  expect(promoted.exitCode === 0, `copy promote succeeded: ${promoted.stdout}`);
  expect((await manifest('/srv/promoted')) === m, 'the promoted volume holds the last copy');
  expect(
    (await x(['test', '-f', '/etc/backuppc/config.pl'], { allowFailure: true })).exitCode === 0,
    "the primary's config.pl is in place",
  );
  const kept = await x(['sh', '-c', 'ls -d /etc/backuppc.before-promote-*'], { allowFailure: true });
  expect(kept.exitCode === 0, "this host's own configuration was kept beside it");
  const again = await x(['baysync', 'copy', 'promote'], { allowFailure: true });
  expect(
    again.exitCode !== 0 && /already mounted|did not end verified/.test(again.stdout),
    `a second promote is refused (${again.stdout})`,
  );
}

/** Files of random data (not zeros), written and synced. */
async function fill(s: LabSession, dir: string, name: string, mibs: number): Promise<void> {
  await s.vm.exec([
    'dd',
    'if=/dev/urandom',
    `of=${dir}/${name}.bin`,
    'bs=1M',
    `count=${mibs}`,
    'conv=fsync',
    'status=none',
  ]);
}
