// The package's Debian metadata from the staged tree: the control file (with Installed-Size),
// the machine-readable copyright file covering baysync and every bundled node module (each
// with its own licence text), the native changelog (gzip -9n) and the md5sums. Contract: pure functions
// over the staged tree and the repository's debian/ directory; they only read.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export const maintainer = 'baysync developers <baysync-devel@lists.baysync.org>';

/** The staged tree but DEBIAN/, in name order: [path relative to the stage, is a directory]. */
function* staged(stage: string, dir = stage): Generator<[string, boolean]> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
    const p = join(dir, e.name);
    if (dir === stage && e.name === 'DEBIAN') continue;
    if (e.isDirectory()) {
      yield [relative(stage, p), true];
      yield* staged(stage, p);
    } else if (e.isFile()) yield [relative(stage, p), false];
  }
}

/** Installed-Size: the staged tree in KiB (files rounded up to 1 KiB each, as dpkg-gencontrol does). */
export function installedSizeKiB(stage: string): number {
  let kib = 0;
  for (const [rel, isDir] of staged(stage)) kib += isDir ? 1 : Math.ceil(statSync(join(stage, rel)).size / 1024) || 1;
  return kib;
}

export function control(version: string, installedSize: number): string {
  return [
    'Package: baysync',
    `Version: ${version}`,
    'Architecture: all',
    `Maintainer: ${maintainer}`,
    `Installed-Size: ${installedSize}`,
    'Section: admin',
    'Priority: optional',
    'Depends: nodejs (>= 20.19), mdadm, udev, systemd, hdparm, sdparm',
    // The real-time sync and the failover need these; the rotation alone does not.
    'Recommends: backuppc, default-mta | mail-transport-agent, rsync, openssh-client, iproute2, iputils-ping, iputils-arping',
    // The snapshot copy: snapshots on the primary, thin_delta for thin volumes, rrsync's python.
    'Suggests: lvm2, thin-provisioning-tools, python3',
    'Description: offline-copy rotation and backup automation for backup servers',
    ' baysync automates the rotation of offline copies of an md-mirrored backup',
    ' server: plug in an external drive set, it joins the degraded mirror, syncs',
    ' the dirty blocks, detaches a verified copy, spins the drives down and mails.',
    ' It also keeps a standby server in quasi real-time sync (rsync pull on a',
    " timer, or push on file events) and takes over the main server's address",
    ' when it is really down.',
    '',
  ].join('\n');
}

/** A licence text as a DEP-5 field continuation: one leading space, blank lines as " .". */
const indent = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => (l.trim() ? ` ${l.trimEnd()}` : ' .'))
    .join('\n');

interface Module {
  dir: string;
  name: string;
  license: string;
  text: string;
  copyright: string;
}

function modules(nodeModules: string): Module[] {
  const dirs: string[] = [];
  for (const e of readdirSync(nodeModules)) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) for (const s of readdirSync(join(nodeModules, e))) dirs.push(`${e}/${s}`);
    else dirs.push(e);
  }
  return dirs.sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(nodeModules, dir, 'package.json'), 'utf8')) as {
      name: string;
      license?: string;
      author?: string | { name: string };
    };
    const file = readdirSync(join(nodeModules, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    if (!pkg.license || !file) throw new Error(`node module ${dir}: no licence field or file; cannot ship it`);
    const text = readFileSync(join(nodeModules, dir, file), 'utf8');
    const line = /^.*copyright\s*(?:\(c\)|©)?\s*(.+)$/im.exec(text)?.[1]?.trim();
    const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
    return { dir, name: pkg.name, license: pkg.license, text, copyright: line ?? author ?? `the ${pkg.name} authors` };
  });
}

export function copyright(repoRoot: string, nodeModules: string): string {
  const own = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  const parts = [
    [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
      'Upstream-Name: baysync',
      'Comment: The bundled node modules (usr/lib/baysync/node_modules) keep their own licences, each given in full below.',
    ].join('\n'),
    ['Files: *', 'Copyright: 2026 baysync developers', 'License: MIT', indent(own)].join('\n'),
  ];
  for (const m of modules(nodeModules))
    parts.push(
      [
        `Files: usr/lib/baysync/node_modules/${m.dir}/*`,
        `Copyright: ${m.copyright}`,
        `License: ${m.license}`,
        indent(m.text),
      ].join('\n'),
    );
  return `${parts.join('\n\n')}\n`;
}

/** debian/changelog, compressed as Debian wants it: gzip -9, no name, no time stamp. */
export function changelogGz(repoRoot: string): Buffer {
  const p = join(repoRoot, 'debian', 'changelog');
  if (!existsSync(p)) throw new Error('debian/changelog is missing');
  return gzipSync(readFileSync(p), { level: 9 });
}

/** DEBIAN/md5sums: every regular file of the staged tree but DEBIAN/, as dpkg-deb's users expect. */
export function md5sums(stage: string): string {
  let out = '';
  for (const [rel, isDir] of staged(stage))
    if (!isDir)
      out += `${createHash('md5')
        .update(readFileSync(join(stage, rel)))
        .digest('hex')}  ${rel}\n`;
  return out;
}
