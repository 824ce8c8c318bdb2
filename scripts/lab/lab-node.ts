// The lab's Node: the host's own binary (same Debian release as the guest) packaged as
// `nodejs` so that baysync's `Depends: nodejs (>= 20.19)` resolves in the guest, which has no
// network and whose Debian release ships an older Node. Contract: returns the .deb path.
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export async function buildLabNode(outDir: string): Promise<string> {
  const st = join(outDir, 'nodejs-lab');
  rmSync(st, { recursive: true, force: true });
  mkdirSync(join(st, 'usr/bin'), { recursive: true });
  mkdirSync(join(st, 'DEBIAN'), { recursive: true });
  cpSync(process.execPath, join(st, 'usr/bin/node'));
  chmodSync(join(st, 'usr/bin/node'), 0o755);
  const v = process.version.slice(1);
  writeFileSync(
    join(st, 'DEBIAN/control'),
    `Package: nodejs\nVersion: ${v}-baysynclab1\nArchitecture: amd64\nMaintainer: baysync lab <lab@localhost>\nDepends: libstdc++6\nDescription: Node.js ${v} for the baysync lab (the host's binary)\n`,
  );
  const out = join(outDir, `nodejs_${v}-baysynclab1_amd64.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', st, out]);
  return out;
}
