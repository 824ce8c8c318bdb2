// Lab scenario 'full-rotation-A-B-A': 1. A, then B, then A again: manifests match the detached
// copies; the return is a bitmap re-add.
import type { LabSession } from '../../session.js';
import { expect } from '../assert.js';
import { arrayBytes, copyManifest, manifest, manifestScript, writeData } from '../copy.js';
import { figures } from '../figures.js';
import { rotation } from '../rotation.js';

export async function run(s: LabSession): Promise<void> {
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
  // How many chunks BackupPC's dumps dirty depends on how many ran meanwhile, that is on the
  // machine's speed: the check only holds the return far from a full copy (the figure is printed
  // against its 5 % target); the resync's own size comes from the bitmap (join-mirror.ts).
  expect(
    pct < 25,
    `resync ${((h.resyncBytes ?? size) / 1048576).toFixed(1)} MiB (${pct.toFixed(1)} % of the array) is far from a full copy (${changed} MiB written, and BackupPC's dumps)`,
  );
  expect((await copyManifest(s, 'A', 'e2e-data')) === m, 'the returning copy on set A matches its manifest');
  // Three rotations, six disks plugged and spun down: no baysync unit is left failed (the
  // hotplug notices once were, starved of CPU by Nice=10 until the spin-down stopped them).
  const failed = (await s.vm.exec(['systemctl', 'list-units', '--failed', '--no-legend', '--plain', 'baysync*']))
    .stdout;
  expect(failed.trim() === '', `no failed baysync unit after the rotations (${failed.trim().split('\n').join('; ')})`);
}
