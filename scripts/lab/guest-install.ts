// Install baysync in a lab guest the way an administrator does: the .deb built from the working
// tree (npm run package), the configuration, `baysync install`, `systemctl enable --now baysync`.
// `apt-get install ./baysync.deb` from the guest's local repository (it has no network); the
// topology has Debian's nodejs installed already (a minute saved in every scenario), and
// `package-lifecycle` proves on a guest without it that apt pulls it in as the dependency.
// Contract: after install() the daemon runs and answers `baysync status`, and /usr/bin/node
// (guestNode) runs the lab's helpers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptGet, log } from './common.js';
import type { LabSession } from './session.js';

export function labConfig(u: LabSession['topo']['uuids'], extra = ''): string {
  return `# baysync configuration for the lab (seed 000 topology)
[storage]
top_mirror_uuid = "${u.md7}"
mountpoint = "/var/lib/backuppc"
marker_dir = "pc"

[root_mirror]
uuid = "${u.md1}"
partition = 1

[[sets]]
name = "A"
stripe_uuid = "${u.md8}"
mirror_uuid = "${u.md5}"
stripe_device = "md8"

[[sets]]
name = "B"
stripe_uuid = "${u.md9}"
mirror_uuid = "${u.md6}"
stripe_device = "md9"

[mail]
to = ["root"]
from = "baysync"

[policy]
verify_sample_files = 20
progress_log_minutes = 1
${extra}`;
}

/** Debian's node in the guest, there once baysync's package is installed. */
export const guestNode = '/usr/bin/node';

export function debPath(): string {
  const deb = readdirSync(join(process.cwd(), 'build')).find((f) => /^baysync_.*_all\.deb$/.test(f));
  if (!deb) throw new Error('no build/baysync_*_all.deb: run `npm run package` first');
  return join(process.cwd(), 'build', deb);
}

export async function installBaysync(s: LabSession, configExtra = ''): Promise<void> {
  const vm = s.vm;
  await vm.writeFile('/root/baysync.deb', readFileSync(debPath()));
  // Not --no-download: apt 3.0 then fails on a local .deb ("Pathname to install is not absolute").
  // Nothing is fetched anyway: every dependency is in the image's cache, and there is no network.
  await vm.exec([...aptGet, 'install', '--yes', '/root/baysync.deb'], { timeoutMs: 600_000 });
  await vm.exec(['mkdir', '-p', '/etc/baysync']);
  await vm.writeFile('/etc/baysync/baysync.toml', labConfig(s.topo.uuids, configExtra));
  await vm.exec(['baysync', 'config', 'check']);
  await vm.exec(['baysync', 'install']);
  // What `baysync install` asks of the operator beyond the ARRAY <ignore> lines the topology
  // has: mdadm --monitor's PROGRAM line naming the package's hook.
  const conf = await vm.readFile('/etc/mdadm/mdadm.conf');
  if (!/^PROGRAM /m.test(conf))
    await vm.writeFile('/etc/mdadm/mdadm.conf', `${conf}PROGRAM /usr/lib/baysync/mdadm-event\n`);
  await vm.exec(['systemctl', 'restart', 'mdmonitor.service'], { allowFailure: true });
  await vm.exec(['systemctl', 'enable', '--now', 'baysync.service']);
  await s.waitFor(['baysync', 'status'], 'the daemon to answer', 60_000);
  await checkUnits(s);
  log('baysync installed and running');
}

const units = [
  'baysync.service',
  'baysync-sync.service',
  'baysync-sync.timer',
  'baysync-copy.service',
  'baysync-copy.timer',
  'baysync-copy-receive.socket',
  'baysync-copy-receive@.service',
].map((u) => `/usr/lib/systemd/system/${u}`);

/** The package's units as the guest's systemd reads them: `systemd-analyze verify` says nothing about them. */
async function checkUnits(s: LabSession): Promise<void> {
  const r = await s.vm.exec(['systemd-analyze', 'verify', '--man=no', ...units], { allowFailure: true });
  const ours = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('baysync'));
  if (ours.length) throw new Error(`systemd-analyze verify on the package's units:\n${ours.join('\n')}`);
  for (const u of units.filter((x) => x.endsWith('.service'))) {
    const sec = await s.vm.exec(['systemd-analyze', 'security', '--offline=true', '--no-pager', u], {
      allowFailure: true,
    });
    log(sec.stdout.trim().split('\n').at(-1) ?? `${u}: no score`);
  }
}

/** Debian's exim4 delivers root's mail (no alias for root) to the `mail` user's mailbox (router mail4root). */
export const rootMailbox = '/var/mail/mail';

/** Number of mails in root's mailbox whose subject matches. */
export async function mailCount(s: LabSession, subject: RegExp): Promise<number> {
  const r = await s.vm.exec(['cat', rootMailbox], { allowFailure: true });
  return r.stdout.split('\n').filter((l) => l.startsWith('Subject: ') && subject.test(l)).length;
}

/** The last mail in root's mailbox whose subject matches (headers and body). */
export async function lastMail(s: LabSession, subject: RegExp): Promise<string | undefined> {
  const r = await s.vm.exec(['cat', rootMailbox], { allowFailure: true });
  const mails = r.stdout.split(/\n(?=From \S+ )/);
  return mails.filter((m) => m.split('\n').some((l) => l.startsWith('Subject: ') && subject.test(l))).at(-1);
}
