// Lab topology (seed 000), built once on the cached image and cached beside it:
//   4 internal disks, each: p1 (32 MiB, root mirror md1, 6 slots, 2 kept for the externals;
//                               metadata 1.0, ext4 labelled labroot)
//                           p2 (rest, data): md3 = raid0(int0p2,int1p2), md4 = raid0(int2p2,int3p2)
//   md5 = raid1(md3, missing) and md6 = raid1(md4, missing), internal write-intent bitmaps
//   md7 = raid1(md5, md6), internal bitmap, XFS, mounted on /var/lib/backuppc (the BackupPC pool)
//   set A: disks a0,a1 (p1 for md1, p2 -> stripe md8, the missing half of md5)
//   set B: disks b0,b1 (p1 for md1, p2 -> stripe md9, the missing half of md6)
// A real BackupPC backs up /srv/data every few minutes; exim4 delivers root's mail locally.
// mdadm.conf lists the internal arrays and `ARRAY <ignore>` lines for md8/md9 (invariant 2),
// and the initramfs is rebuilt with it. Contract: ensureTopology() returns the qcow2 base
// disks (never modified afterwards; scenarios boot from overlays) and the arrays' UUIDs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptGet, log } from './common.js';
import { imageKey, type LabImage } from './image.js';
import { qcow2Blank, qcow2Overlay, Vm } from './vm.js';

export interface Topology {
  dir: string;
  root: string;
  /** The guest's own initramfs after provisioning (it carries the lab mdadm.conf). */
  initrd: string;
  internal: Record<'int0' | 'int1' | 'int2' | 'int3', string>;
  external: Record<'a0' | 'a1' | 'b0' | 'b1', string>;
  uuids: { md1: string; md3: string; md4: string; md5: string; md6: string; md7: string; md8: string; md9: string };
}

const diskSize = '256M';
export const internalIds = ['int0', 'int1', 'int2', 'int3'] as const;
export const externalIds = ['a0', 'a1', 'b0', 'b1'] as const;
const version = 7;

/** BackupPC: back up /srv/data locally with tar; wake up every 2 minutes. */
const localhostPl = `$Conf{XferMethod} = 'tar';
$Conf{TarShareName} = ['/srv/data'];
$Conf{TarClientCmd} = '/usr/bin/env LC_ALL=C $tarPath -c -v -f - -C $shareName+ --totals';
$Conf{TarClientRestoreCmd} = '/usr/bin/env LC_ALL=C $tarPath -x -p --numeric-owner --same-owner -v -f - -C $shareName+';
$Conf{PingPath} = '/bin/echo';
$Conf{IncrPeriod} = 0.001;
$Conf{FullPeriod} = 6.97;
`;

function wakeupSchedule(): string {
  const hours: string[] = [];
  for (let m = 0; m < 24 * 60; m += 2) hours.push((m / 60).toFixed(4));
  return `$Conf{WakeupSchedule} = [${hours.join(', ')}];\n`;
}

export async function ensureTopology(image: LabImage, cacheRoot: string): Promise<Topology> {
  const key = createHash('sha256').update(`${imageKey()}:${version}:${localhostPl}`).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, `topology-${key}`);
  const meta = join(dir, 'topology.json');
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as Topology;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const file = (id: string): string => join(tmp, `${id}.qcow2`);
  await qcow2Overlay(image.rootfs, file('root'), 'raw');
  for (const id of [...internalIds, ...externalIds]) await qcow2Blank(file(id), diskSize);
  const vm = new Vm(
    join(tmp, 'run'),
    image,
    file('root'),
    internalIds.map((id) => ({ id, file: file(id) })),
  );
  const started = Date.now();
  await vm.boot();
  try {
    for (const id of externalIds) await vm.plug({ id, file: file(id) });
    const uuids = await provision(vm);
    const initrdName = (await vm.exec(['ls', '/boot'])).stdout.split('\n').find((n) => n.startsWith('initrd.img-'));
    if (!initrdName) throw new Error('no initrd in the guest /boot');
    await vm.copyOut(`/boot/${initrdName}`, join(tmp, 'initrd.img'));
    await vm.shutdown();
    const topo: Topology = {
      dir,
      root: join(dir, 'root.qcow2'),
      initrd: join(dir, 'initrd.img'),
      internal: Object.fromEntries(internalIds.map((id) => [id, join(dir, `${id}.qcow2`)])) as Topology['internal'],
      external: Object.fromEntries(externalIds.map((id) => [id, join(dir, `${id}.qcow2`)])) as Topology['external'],
      uuids,
    };
    rmSync(join(tmp, 'run'), { recursive: true, force: true });
    writeFileSync(join(tmp, 'topology.json'), JSON.stringify(topo, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`topology provisioned in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
    return topo;
  } catch (e) {
    await vm.kill();
    throw e;
  }
}

async function diskBySerial(vm: Vm): Promise<Record<string, string>> {
  for (let i = 0; i < 50; i++) {
    const r = await vm.exec(['lsblk', '-J', '-d', '-o', 'NAME,SERIAL']);
    const devs = (JSON.parse(r.stdout) as { blockdevices: Array<{ name: string; serial: string | null }> })
      .blockdevices;
    const map: Record<string, string> = {};
    for (const d of devs) if (d.serial) map[d.serial.toLowerCase()] = d.name;
    if ([...internalIds, ...externalIds].every((id) => map[id])) return map;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('lab disks did not all appear in the guest');
}

async function provision(vm: Vm): Promise<Topology['uuids']> {
  const dev = await diskBySerial(vm);
  const p = (id: string, n: number): string => `/dev/${dev[id]}${n}`;
  for (const id of [...internalIds, ...externalIds]) {
    await vm.exec(['sfdisk', '-q', `/dev/${dev[id]}`], { input: 'label: gpt\nsize=32MiB, type=R\ntype=R\n' });
  }
  await vm.exec(['udevadm', 'settle']);
  const create = (md: string, args: string[], metadata = '1.2'): Promise<unknown> =>
    vm.exec(['mdadm', '--create', `/dev/${md}`, '--run', `--metadata=${metadata}`, `--homehost=baylab`, ...args]);
  // md1 keeps its superblock at the end (metadata 1.0), as the seed's root mirror does: a set's
  // root partition then mounts directly on a rescue machine (issue 11, the recovery scenario).
  await create(
    'md1',
    [
      '--level=1',
      '--raid-devices=6',
      '--bitmap=internal',
      '--assume-clean',
      ...internalIds.map((id) => p(id, 1)),
      'missing',
      'missing',
    ],
    '1.0',
  );
  await vm.exec(['mkfs.ext4', '-q', '-L', 'labroot', '/dev/md1']);
  await create('md3', ['--level=0', '--raid-devices=2', p('int0', 2), p('int1', 2)]);
  await create('md4', ['--level=0', '--raid-devices=2', p('int2', 2), p('int3', 2)]);
  // A 1 MiB bitmap chunk (440 chunks) so that a small change dirties a small share of these
  // tiny arrays; real servers keep mdadm's default.
  await create('md5', [
    '--level=1',
    '--raid-devices=2',
    '--bitmap=internal',
    '--bitmap-chunk=1M',
    '/dev/md3',
    'missing',
  ]);
  await create('md6', [
    '--level=1',
    '--raid-devices=2',
    '--bitmap=internal',
    '--bitmap-chunk=1M',
    '/dev/md4',
    'missing',
  ]);
  // The top mirror has a bitmap too (doctor recommends it): a half dropped by a power cut
  // comes back by a re-add of its dirty chunks, not a full resync (issue 11, section 4).
  await create('md7', [
    '--level=1',
    '--raid-devices=2',
    '--assume-clean',
    '--bitmap=internal',
    '--bitmap-chunk=1M',
    '/dev/md5',
    '/dev/md6',
  ]);
  await create('md8', ['--level=0', '--raid-devices=2', p('a0', 2), p('a1', 2)]);
  await create('md9', ['--level=0', '--raid-devices=2', p('b0', 2), p('b1', 2)]);
  const uuid = async (md: string): Promise<string> => {
    const out = (await vm.exec(['mdadm', '--detail', '--export', `/dev/${md}`])).stdout;
    const m = /^MD_UUID=(.+)$/m.exec(out);
    if (!m) throw new Error(`no MD_UUID for ${md}`);
    return m[1]!;
  };
  const uuids = {} as Topology['uuids'];
  for (const md of ['md1', 'md3', 'md4', 'md5', 'md6', 'md7', 'md8', 'md9'] as const) uuids[md] = await uuid(md);
  await vm.exec(['mdadm', '--stop', '/dev/md8']);
  await vm.exec(['mdadm', '--stop', '/dev/md9']);
  // mdadm.conf: internal arrays by UUID; the external stripes explicitly ignored (invariant 2).
  const conf = [
    '# lab mdadm.conf (baysync). External stripes are never auto-assembled.',
    'HOMEHOST <system>',
    'MAILADDR root',
    ...(['md1', 'md3', 'md4', 'md5', 'md6', 'md7'] as const).map(
      (md) => `ARRAY /dev/${md} metadata=${md === 'md1' ? '1.0' : '1.2'} UUID=${uuids[md]}`,
    ),
    `ARRAY <ignore> UUID=${uuids.md8}`,
    `ARRAY <ignore> UUID=${uuids.md9}`,
    '',
  ].join('\n');
  await vm.writeFile('/etc/mdadm/mdadm.conf', conf);
  // The pool on md7.
  await vm.exec(['mkfs.xfs', '-q', '/dev/md7']);
  await vm.exec(['systemctl', 'stop', 'backuppc.service'], { allowFailure: true });
  await vm.exec(['mkdir', '-p', '/mnt/newpool']);
  await vm.exec(['mount', '/dev/md7', '/mnt/newpool']);
  await vm.exec(['cp', '-a', '/var/lib/backuppc/.', '/mnt/newpool/']);
  await vm.exec(['umount', '/mnt/newpool']);
  await vm.exec(['rmdir', '/mnt/newpool']);
  const fstab = await vm.readFile('/etc/fstab');
  await vm.writeFile(
    '/etc/fstab',
    `${fstab}UUID=${(await vm.exec(['blkid', '-s', 'UUID', '-o', 'value', '/dev/md7'])).stdout.trim()} /var/lib/backuppc xfs defaults 0 0\n`,
  );
  await vm.exec(['mount', '/var/lib/backuppc']);
  await vm.exec(['chown', 'backuppc:backuppc', '/var/lib/backuppc']);
  // BackupPC: the seed's control include, a local tar client, a short schedule.
  await vm.writeFile('/etc/backuppc/external-control.pl', '$Conf{BackupsDisable} = 0;\n');
  const config = await vm.readFile('/etc/backuppc/config.pl');
  // Programs a minimal guest lacks: empty paths (BackupPC exits at start on a missing one).
  const serverPaths =
    "$Conf{SmbClientPath} = '';\n$Conf{NmbLookupPath} = '';\n$Conf{SshPath} = '';\n$Conf{PingPath} = '/bin/echo';\n";
  await vm.writeFile(
    '/etc/backuppc/config.pl',
    `${config}\n${serverPaths}${wakeupSchedule()}do "/etc/backuppc/external-control.pl";\n`,
  );
  // exim4 qualifies local addresses with /etc/mailname, which the image build took from the build host.
  await vm.writeFile('/etc/mailname', 'baylab\n');
  await vm.exec(['update-exim4.conf']);
  await vm.writeFile('/etc/backuppc/localhost.pl', localhostPl);
  await vm.writeFile('/etc/backuppc/hosts', 'host dhcp user moreUsers\nlocalhost 0 backuppc\n');
  await vm.exec(['mkdir', '-p', '/srv/data']);
  for (let i = 0; i < 20; i++) {
    await vm.exec(['dd', 'if=/dev/urandom', `of=/srv/data/file${i}.bin`, 'bs=64k', 'count=4', 'status=none']);
  }
  await vm.exec(['chmod', '-R', 'a+rX', '/srv/data']);
  // Debian's nodejs, from the image's local repository: every scenario's install of baysync then
  // takes a minute less under TCG; package-lifecycle purges it and shows apt pulling it back in.
  await vm.exec([...aptGet, 'install', '--yes', 'nodejs'], { timeoutMs: 600_000 });
  // update-initramfs inside the TCG guest: the default (zstd -19 over MODULES=most) took more
  // than 10 minutes here, so the guest builds a small, quickly compressed one.
  await vm.writeFile('/etc/initramfs-tools/conf.d/lab.conf', 'MODULES=dep\nCOMPRESS=zstd\nCOMPRESSLEVEL=1\n');
  const t0 = Date.now();
  await vm.exec(['update-initramfs', '-u'], { timeoutMs: 1_200_000 });
  log(`update-initramfs took ${Math.round((Date.now() - t0) / 1000)} s`);
  await vm.exec(['systemctl', 'enable', 'backuppc.service'], { allowFailure: true });
  await vm.exec(['sync']);
  return uuids;
}
