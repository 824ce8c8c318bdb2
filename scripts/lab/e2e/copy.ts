// The copy on a set's disks, read in the guest the way the operator would (mounted read-only):
// manifests of the pool and of the copy, test data written to the pool, and the diagnosis of a
// failed verification.
import { sleep } from '../common.js';
import { guestNode } from '../guest-install.js';
import type { LabSession, SetName } from '../session.js';
import { Check, expect, type HistoryEntry } from './assert.js';

export const manifestScript = `import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
const root = process.argv[2];
const out = [];
const walk = (d) => { for (const e of readdirSync(join(root, d)).sort()) { const p = d ? d + '/' + e : e; const st = statSync(join(root, p)); if (st.isDirectory()) walk(p); else if (st.isFile()) out.push(createHash('sha256').update(readFileSync(join(root, p))).digest('hex') + '  ' + p); } };
walk('');
process.stdout.write(out.join('\\n') + '\\n');
`;

export async function manifest(s: LabSession, dir: string): Promise<string> {
  return (await s.vm.exec([guestNode, '/root/manifest.mjs', dir])).stdout;
}

/**
 * Mount the detached copy of a set read-only, independently of baysync, and return its manifest
 * of `sub`. The daemon is masked meanwhile (it would rotate the replugged set again), and the
 * set is re-plugged because baysync's spin-down removed its disks from the guest. Leaves the set
 * unplugged and the daemon running.
 */
export async function copyManifest(s: LabSession, set: SetName, sub: string): Promise<string> {
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
export async function withCopyMounted<T>(s: LabSession, set: SetName, fn: (mnt: string) => Promise<T>): Promise<T> {
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

export const readCopy = (s: LabSession, set: SetName, sub: string): Promise<string> =>
  withCopyMounted(s, set, (mnt) => manifest(s, `${mnt}/${sub}`));

export async function writeData(s: LabSession, mib: number, name: string): Promise<void> {
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

export const arrayBytes = async (s: LabSession): Promise<number> =>
  Number((await s.vm.exec(['cat', '/sys/block/md5/md/component_size'])).stdout) * 1024;

/**
 * Evidence for a failed verification, while the set is still plugged in (a failed copy is not
 * spun down): for each mismatched file, its times in the live pool against the detach, and
 * where the copy differs. Read with the daemon masked, as copyManifest does.
 */
export async function diagnoseVerify(s: LabSession, h: HistoryEntry): Promise<string> {
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

/** Ask the guest's BackupPC server for a full backup of localhost now (once its socket is up). */
export async function requestBackup(s: LabSession): Promise<void> {
  await s.waitFor(['test', '-S', '/run/backuppc/BackupPC.sock'], 'the BackupPC server', 120_000);
  const msg = ['backup', 'localhost', 'localhost', 'backuppc', '1'];
  await s.vm.exec(['runuser', '-u', 'backuppc', '--', '/usr/share/backuppc/bin/BackupPC_serverMesg', ...msg]);
}
