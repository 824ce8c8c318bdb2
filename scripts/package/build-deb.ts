// Build the baysync .deb from the working tree (after `npm run build`): the compiled code and
// its production dependencies (pruned) in /usr/lib/baysync, /usr/bin/baysync, the static units
// in /usr/lib/systemd/system, the man pages, docs,
// copyright and changelog, and the maintainer scripts of debian/. `baysync install` writes
// what is site-specific. Contract: writes build/baysync_<version>_all.deb and prints its path;
// needs dpkg-deb and npm (registry or cache) for the production modules.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { changelogGz, control, copyright, installedSizeKiB, md5sums } from './debian-meta.js';
import { prune } from './prune.js';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const stage = join(root, 'build', 'deb');
rmSync(stage, { recursive: true, force: true });
const lib = join(stage, 'usr/lib/baysync');
mkdirSync(lib, { recursive: true });
for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(lib, f));
cpSync(join(root, 'build/src'), join(lib, 'build/src'), { recursive: true });
// The stripe rule's template and the example config, for `baysync install`.
for (const d of ['udev', 'examples']) cpSync(join(root, d), join(lib, d), { recursive: true });
// mdadm --monitor's PROGRAM hook: one executable path that mdadm calls with EVENT DEVICE [COMPONENT].
cpSync(join(root, 'mdadm/mdadm-event'), join(lib, 'mdadm-event'));
chmodSync(join(lib, 'mdadm-event'), 0o755);
await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
  cwd: lib,
  stdio: 'inherit',
});
rmSync(join(lib, 'package-lock.json'));
rmSync(join(lib, 'node_modules/.package-lock.json'), { force: true });
const copyrightText = copyright(root, join(lib, 'node_modules'));
prune(join(lib, 'node_modules'));
chmodSync(join(lib, 'build/src/cli/main.js'), 0o755);
mkdirSync(join(stage, 'usr/bin'), { recursive: true });
symlinkSync('../lib/baysync/build/src/cli/main.js', join(stage, 'usr/bin/baysync'));
cpSync(join(root, 'systemd'), join(stage, 'usr/lib/systemd/system'), { recursive: true });
const doc = join(stage, 'usr/share/doc/baysync');
mkdirSync(join(doc, 'examples'), { recursive: true });
cpSync(join(root, 'examples'), join(doc, 'examples'), { recursive: true });
cpSync(join(root, 'README.md'), join(doc, 'README.md'));
if (existsSync(join(root, 'docs'))) cpSync(join(root, 'docs'), join(doc, 'docs'), { recursive: true });
writeFileSync(join(doc, 'copyright'), copyrightText);
// Overrides, each with its reason (lintian prints them with --show-overrides).
mkdirSync(join(stage, 'usr/share/lintian/overrides'), { recursive: true });
cpSync(join(root, 'debian/lintian-overrides'), join(stage, 'usr/share/lintian/overrides/baysync'));
writeFileSync(join(doc, 'changelog.gz'), changelogGz(root));
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
for (const s of ['postinst', 'prerm', 'postrm']) {
  cpSync(join(root, 'debian', s), join(stage, 'DEBIAN', s));
  chmodSync(join(stage, 'DEBIAN', s), 0o755);
}
writeFileSync(join(stage, 'DEBIAN/control'), control(pkg.version, installedSizeKiB(stage)));
writeFileSync(join(stage, 'DEBIAN/md5sums'), md5sums(stage));
const deb = join(root, 'build', `baysync_${pkg.version}_all.deb`);
await execa('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { stdio: 'inherit' });
process.stdout.write(`${deb}\n`);
