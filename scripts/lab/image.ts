// Lab image builder: turns a fixed recipe (Debian suite, package list, files to write) into a
// bootable ext4 root image plus the kernel and initrd taken from it. The guest is Debian 13
// (trixie), the platform; Node is not in the image: baysync's package pulls Debian's nodejs in
// when the lab installs it, from a local repository in the image that holds nodejs and its
// libraries (the guest has no network), as `apt install ./baysync_*.deb` does on a server. The result is cached
// outside the repo under a directory named by a hash of the recipe, so a changed recipe
// builds a new image and an unchanged one is reused. Needs root, mmdebstrap and mkfs.ext4.
// Contract: ensureImage() returns the paths of a complete image or throws; it never returns
// a half-built one (the build happens in a temp dir renamed into place at the end).
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { labCacheDir, log } from './common.js';

export interface LabImage {
  dir: string;
  rootfs: string;
  kernel: string;
  initrd: string;
}

const suite = 'trixie';

// Downloaded into the image's apt cache, not installed: what the package's Depends pull in.
const cached = ['nodejs'];

// Packages of the guest. BackupPC and exim4 are real; qemu-guest-agent is the lab's control path.
const packages = [
  'linux-image-amd64',
  'systemd-sysv',
  'udev',
  'dbus',
  'mdadm',
  'xfsprogs',
  'hdparm',
  'sdparm',
  'rsync',
  'util-linux',
  'kmod',
  'procps',
  'e2fsprogs',
  'fdisk',
  'qemu-guest-agent',
  'backuppc',
  'exim4-daemon-light',
  'bsd-mailx',
  'libstdc++6',
  'ca-certificates',
  'less',
  'cpio',
  'zstd',
  'initramfs-tools',
  // The failover scenario: network namespaces, probes, duplicate-address detection, a service.
  'iproute2',
  'iputils-ping',
  'iputils-arping',
  'busybox',
  // The snapshot copy (seed 001): the pool on a logical volume, classic and thin snapshots.
  'lvm2',
  'thin-provisioning-tools',
  // ... and its secondary reached over ssh: the receiver's and rrsync's forced commands.
  'openssh-server',
  'openssh-client',
  'python3',
];

// Files written into the root after the packages are installed (path -> content, mode).
function guestFiles(): Array<{ path: string; content: string; mode?: number }> {
  return [
    { path: '/etc/hostname', content: 'baylab\n' },
    { path: '/etc/hosts', content: '127.0.0.1 localhost\n127.0.1.1 baylab\n' },
    { path: '/etc/fstab', content: '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' },
    // exim4: local delivery only, the Debian default, written explicitly so the recipe says it.
    {
      path: '/etc/exim4/update-exim4.conf.conf',
      content: [
        "dc_eximconfig_configtype='local'",
        "dc_other_hostnames='baylab'",
        "dc_local_interfaces='127.0.0.1'",
        "dc_readhost=''",
        "dc_relay_domains=''",
        "dc_minimaldns='false'",
        "dc_relay_nets=''",
        "dc_smarthost=''",
        "CFILEMODE='644'",
        "dc_use_split_config='false'",
        "dc_hide_mailname=''",
        "dc_mailname_in_oh='true'",
        "dc_localdelivery='mail_spool'",
        '',
      ].join('\n'),
    },
    // The guest has no network; keep systemd from waiting for one.
    { path: '/etc/systemd/system/systemd-networkd-wait-online.service', content: '' },
    // Serial console autologin is not needed: the lab drives the guest through the agent.
    { path: '/etc/default/grub', content: '' },
  ];
}

function recipe(): string {
  return JSON.stringify({ v: 6, suite, packages, cached, files: guestFiles() });
}

export function imageKey(): string {
  return createHash('sha256').update(recipe()).digest('hex').slice(0, 16);
}

async function run(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = await execa(cmd, args, { timeout: opts.timeoutMs ?? 30 * 60_000, stdin: 'ignore' });
  return r.stdout;
}

/** The guest's apt source: a flat local repository (as an offline site's mirror) in the image. */
const repo = '/srv/lab-apt';

/**
 * Fetch `cached` and what it depends on (not installed) into the local repository, and make it
 * the guest's only apt source, as an offline site's mirror: the guest has no network, and a
 * source it cannot reach would leave `apt-get update` failing in it.
 */
async function cacheDebs(root: string): Promise<void> {
  const resolv = join(root, 'etc/resolv.conf');
  const had = existsSync(resolv);
  if (!had) copyFileSync('/etc/resolv.conf', resolv);
  try {
    await run('chroot', [root, 'apt-get', 'install', '--download-only', '--yes', '--no-install-recommends', ...cached]);
  } finally {
    if (!had) rmSync(resolv);
  }
  const archives = join(root, 'var/cache/apt/archives');
  mkdirSync(join(root, repo), { recursive: true });
  const stanzas: string[] = [];
  for (const deb of readdirSync(archives).filter((n) => n.endsWith('.deb'))) {
    const to = join(root, repo, deb);
    renameSync(join(archives, deb), to);
    const control = (await execa('dpkg-deb', ['--field', to])).stdout.trimEnd();
    const bytes = readFileSync(to);
    const sha = createHash('sha256').update(bytes).digest('hex');
    stanzas.push(`${control}\nFilename: ./${deb}\nSize: ${bytes.length}\nSHA256: ${sha}\n`);
  }
  if (stanzas.length === 0) throw new Error(`apt downloaded nothing for ${cached.join(', ')}`);
  writeFileSync(join(root, repo, 'Packages'), stanzas.join('\n'));
  for (const f of ['etc/apt/sources.list', 'etc/apt/sources.list.d/debian.sources'])
    rmSync(join(root, f), { force: true });
  writeFileSync(
    join(root, 'etc/apt/sources.list.d/lab.sources'),
    `Types: deb\nURIs: file:${repo}\nSuites: ./\nTrusted: yes\n`,
  );
  rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  await run('chroot', [root, 'apt-get', 'update']);
}

export async function ensureImage(): Promise<LabImage> {
  const dir = join(labCacheDir(), `image-${imageKey()}`);
  const image: LabImage = {
    dir,
    rootfs: join(dir, 'rootfs.img'),
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
  };
  if (existsSync(join(dir, 'complete'))) return image;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const root = join(tmp, 'root');
  const started = Date.now();
  await run('mmdebstrap', [
    '--variant=apt',
    '--mode=root',
    '--format=directory',
    '--aptopt=APT::Install-Recommends "false"',
    '--skip=cleanup/apt/lists',
    `--include=${packages.join(',')}`,
    suite,
    root,
    'http://deb.debian.org/debian',
  ]);
  log(`mmdebstrap took ${Math.round((Date.now() - started) / 1000)} s`);
  for (const f of guestFiles()) {
    const p = join(root, f.path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.content);
    if (f.mode !== undefined) chmodSync(p, f.mode);
  }
  rmSync(join(root, 'etc/systemd/system/systemd-networkd-wait-online.service'));
  rmSync(join(root, 'etc/default/grub'));
  // Root without a password on the console (the lab VM has no network), the agent enabled.
  await run('chroot', [root, 'passwd', '-d', 'root']);
  await run('chroot', [root, 'systemctl', 'enable', 'qemu-guest-agent.service']).catch(() => undefined);
  await run('chroot', [root, 'update-exim4.conf']);
  await cacheDebs(root);
  const boot = join(root, 'boot');
  const kernel = readdirSync(boot).find((n) => n.startsWith('vmlinuz-'));
  const initrd = readdirSync(boot).find((n) => n.startsWith('initrd.img-'));
  if (!kernel || !initrd) throw new Error(`no kernel or initrd in ${boot}`);
  copyFileSync(join(boot, kernel), join(tmp, 'vmlinuz'));
  copyFileSync(join(boot, initrd), join(tmp, 'initrd.img'));
  await run('mkfs.ext4', ['-q', '-L', 'root', '-d', root, join(tmp, 'rootfs.img'), '3G']);
  rmSync(root, { recursive: true, force: true });
  writeFileSync(join(tmp, 'complete'), recipe());
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`image built in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
  return image;
}
