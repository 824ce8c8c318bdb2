// The seed-000 topology in the FakeSystem (internal md3/md4 under degraded bitmap mirrors md5/md6
// under md7, the root mirror md1, sets A and B) with its config file, and plugging a set in.
import { writeFileSync } from 'node:fs';
import { mdadmUuid } from '../../../src/util/names.js';
import { FakeSystem } from '../fake-system.js';
import { fakeUuid } from './model.js';

/** The seed-000 topology: internal md3/md4 under degraded md5/md6 under md7; sets A (md8) and B (md9). */
export interface LabLike {
  sys: FakeSystem;
  uuids: Record<'md1' | 'md3' | 'md4' | 'md5' | 'md6' | 'md7' | 'md8' | 'md9', string>;
  configToml: string;
  configPath: string;
}

export function seedTopology(
  opts: {
    stopWhenIdle?: boolean;
    rootMirror?: boolean;
    smtpPort?: number;
    extra?: string;
    mailExtra?: string;
    /** [policy] keys. The fake pool's files are as new as the rotation, too new to be compared:
     *  verify_min_files is 0 unless a test (which waits for them to age) asks for more. */
    policy?: string;
  } = {},
): LabLike {
  const sys = new FakeSystem();
  const u = {
    md1: fakeUuid(1),
    md3: fakeUuid(3),
    md4: fakeUuid(4),
    md5: fakeUuid(5),
    md6: fakeUuid(6),
    md7: fakeUuid(7),
    md8: fakeUuid(8),
    md9: fakeUuid(9),
  };
  sys.topUuid = u.md7;
  const MiB = 1024 * 1024;
  for (const [i, d] of ['sda', 'sdb', 'sdc', 'sdd'].entries()) {
    sys.addDisk(d, 256 * MiB, [
      { sizeBytes: 32 * MiB, sb: sys.sb(u.md1, 'raid1', 6, 'lab:1') },
      { sizeBytes: 222 * MiB, sb: sys.sb(i < 2 ? u.md3 : u.md4, 'raid0', 2, `lab:${i < 2 ? 3 : 4}`) },
    ]);
  }
  sys.addArray({
    name: 'md1',
    uuid: u.md1,
    level: 'raid1',
    raidDisks: 6,
    sizeBytes: 31 * MiB,
    componentSizeKiB: 31 * 1024,
    members: ['sda1', 'sdb1', 'sdc1', 'sdd1'].map((d, i) => ({ dev: d, slot: i, state: ['in_sync'] })),
  });
  sys.addArray({
    name: 'md3',
    uuid: u.md3,
    level: 'raid0',
    raidDisks: 2,
    sizeBytes: 442 * MiB,
    componentSizeKiB: 0,
    members: [
      { dev: 'sda2', slot: 0, state: ['in_sync'] },
      { dev: 'sdb2', slot: 1, state: ['in_sync'] },
    ],
  });
  sys.addArray({
    name: 'md4',
    uuid: u.md4,
    level: 'raid0',
    raidDisks: 2,
    sizeBytes: 442 * MiB,
    componentSizeKiB: 0,
    members: [
      { dev: 'sdc2', slot: 0, state: ['in_sync'] },
      { dev: 'sdd2', slot: 1, state: ['in_sync'] },
    ],
  });
  sys.addArray({
    name: 'md5',
    uuid: u.md5,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 440 * MiB,
    componentSizeKiB: 440 * 1024,
    members: [{ dev: 'md3', slot: 0, state: ['in_sync'] }],
  });
  sys.addArray({
    name: 'md6',
    uuid: u.md6,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 440 * MiB,
    componentSizeKiB: 440 * 1024,
    members: [{ dev: 'md4', slot: 0, state: ['in_sync'] }],
  });
  // The internal halves carry their mirror's superblock (and bitmap), as md3 does in the lab.
  sys.stripeContent.set(u.md3, sys.sb(u.md5, 'raid1', 2, 'lab:5'));
  sys.stripeContent.set(u.md4, sys.sb(u.md6, 'raid1', 2, 'lab:6'));
  sys.addArray({
    name: 'md7',
    uuid: u.md7,
    level: 'raid1',
    raidDisks: 2,
    sizeBytes: 438 * MiB,
    componentSizeKiB: 438 * 1024,
    bitmap: false,
    members: [
      { dev: 'md5', slot: 0, state: ['in_sync'] },
      { dev: 'md6', slot: 1, state: ['in_sync'] },
    ],
  });
  const configPath = sys.path('baysync.toml');
  const configToml = `
[storage]
top_mirror_uuid = "${mdadmUuid(u.md7)}"
mountpoint = "${sys.livePool}"
marker_dir = "pc"
${opts.rootMirror === false ? '' : `[root_mirror]\nuuid = "${mdadmUuid(u.md1)}"\npartition = 1\n`}
[[sets]]
name = "A"
stripe_uuid = "${mdadmUuid(u.md8)}"
mirror_uuid = "${mdadmUuid(u.md5)}"
stripe_device = "md8"

[[sets]]
name = "B"
stripe_uuid = "${mdadmUuid(u.md9)}"
mirror_uuid = "${mdadmUuid(u.md6)}"
stripe_device = "md9"

[backuppc]
control_include = "${sys.path('etc/backuppc/external-control.pl')}"
stop_when_idle = ${opts.stopWhenIdle ?? true}

[mail]
to = ["operator@example.test"]
from = "baysync@example.test"
transport = "smtp"
${opts.mailExtra ?? ''}
[mail.smtp]
host = "127.0.0.1"
port = ${opts.smtpPort ?? 2525}

[policy]
${opts.policy?.includes('verify_min_files') ? '' : 'verify_min_files = 0'}
${opts.policy ?? ''}

${opts.extra?.includes('[metrics]') ? '' : `[metrics]\ntextfile = "${sys.path('metrics/baysync.prom')}"\n`}
[paths]
state_dir = "${sys.path('state')}"
run_dir = "${sys.path('run')}"
sysfs = "${sys.path('sys')}"
proc = "${sys.path('proc')}"
dev = "${sys.path('dev')}"
udev_data = "${sys.path('udev/data')}"
verify_dir = "${sys.path('verify')}"
${opts.extra ?? ''}
`;
  writeFileSync(configPath, configToml);
  return { sys, uuids: u, configToml, configPath };
}

/** Plug in an external set: two disks with a root-mirror partition and a stripe member each. */
export function plugSet(
  lab: LabLike,
  set: 'A' | 'B',
  disks: [string, string] = set === 'A' ? ['sde', 'sdf'] : ['sdg', 'sdh'],
  sizeBytes = 256 * 1024 * 1024,
): void {
  const stripeUuid = set === 'A' ? lab.uuids.md8 : lab.uuids.md9;
  const MiB = 1024 * 1024;
  for (const d of disks) {
    lab.sys.addDisk(d, sizeBytes, [
      { sizeBytes: 32 * MiB },
      { sizeBytes: sizeBytes - 34 * MiB, sb: lab.sys.sb(stripeUuid, 'raid0', 2, `lab:${set === 'A' ? 8 : 9}`) },
    ]);
  }
}
