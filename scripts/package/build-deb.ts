// Build the baysync .deb from the working tree (after `npm run build`): the compiled code and
// its production dependencies in /usr/lib/baysync, /usr/bin/baysync, the man page, docs and
// the example config. The units and the udev rule ship as templates; `baysync install` writes
// them with the configured stripe UUIDs. Contract: writes build/baysync_<version>_all.deb and
// prints its path; needs dpkg-deb and npm (registry or cache) for the production modules.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; description: string };
const stage = join(root, 'build', 'deb');
rmSync(stage, { recursive: true, force: true });
const lib = join(stage, 'usr/lib/baysync');
mkdirSync(lib, { recursive: true });
for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(lib, f));
cpSync(join(root, 'build/src'), join(lib, 'build/src'), { recursive: true });
for (const d of ['systemd', 'udev', 'examples']) cpSync(join(root, d), join(lib, d), { recursive: true });
// mdadm --monitor's PROGRAM hook: one executable path that mdadm calls with EVENT DEVICE [COMPONENT].
cpSync(join(root, 'mdadm/mdadm-event'), join(lib, 'mdadm-event'));
chmodSync(join(lib, 'mdadm-event'), 0o755);
await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
  cwd: lib,
  stdio: 'inherit',
});
rmSync(join(lib, 'package-lock.json'));
chmodSync(join(lib, 'build/src/cli/main.js'), 0o755);
mkdirSync(join(stage, 'usr/bin'), { recursive: true });
symlinkSync('../lib/baysync/build/src/cli/main.js', join(stage, 'usr/bin/baysync'));
const doc = join(stage, 'usr/share/doc/baysync');
mkdirSync(join(doc, 'examples'), { recursive: true });
cpSync(join(root, 'examples'), join(doc, 'examples'), { recursive: true });
cpSync(join(root, 'README.md'), join(doc, 'README.md'));
if (existsSync(join(root, 'docs'))) cpSync(join(root, 'docs'), join(doc, 'docs'), { recursive: true });
// Man pages as Debian wants them: gzip -9, no name, no time stamp (node's gzip writes neither).
for (const [page, section] of [
  ['baysync.8', 'man8'],
  ['baysync.toml.5', 'man5'],
] as const) {
  mkdirSync(join(stage, 'usr/share/man', section), { recursive: true });
  writeFileSync(
    join(stage, 'usr/share/man', section, `${page}.gz`),
    gzipSync(readFileSync(join(root, 'man', page)), { level: 9 }),
  );
}
mkdirSync(join(stage, 'DEBIAN'), { recursive: true });
writeFileSync(
  join(stage, 'DEBIAN/control'),
  [
    'Package: baysync',
    `Version: ${pkg.version}`,
    'Architecture: all',
    'Maintainer: baysync developers <baysync@localhost>',
    'Section: admin',
    'Priority: optional',
    'Depends: nodejs (>= 20.19), mdadm, udev, systemd, util-linux, hdparm, sdparm',
    // The real-time sync and the failover need these; the rotation alone does not.
    'Recommends: backuppc, default-mta | mail-transport-agent, rsync, openssh-client, iproute2, iputils-ping, iputils-arping',
    `Description: ${pkg.description}`,
    ' baysync automates the rotation of offline copies of an md-mirrored backup',
    ' server: plug in an external drive set, it joins the degraded mirror, syncs',
    ' the dirty blocks, detaches a verified copy, spins the drives down and mails.',
    ' It also keeps a standby server in quasi real-time sync (rsync pull on a',
    " timer, or push on file events) and takes over the main server's address",
    ' when it is really down.',
    '',
  ].join('\n'),
);
writeFileSync(join(stage, 'DEBIAN/conffiles'), '');
const deb = join(root, 'build', `baysync_${pkg.version}_all.deb`);
await execa('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { stdio: 'inherit' });
process.stdout.write(`${deb}\n`);
