// Capture parser fixtures from the real tools in the lab VM: mdadm --detail/--examine
// (--export and plain), --examine-bitmap, /proc/mdstat, lsblk --json, md sysfs values, in
// the states the daemon meets (idle, degraded, recovering, clean). Each fixture is written to
// test/fixtures/lab/<name>.txt and listed with the exact command in test/fixtures/lab/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, sleep } from './common.js';
import { LabSession } from './session.js';

const out = join(process.cwd(), 'test', 'fixtures', 'lab');
mkdirSync(out, { recursive: true });
const index: string[] = [
  '# Fixtures captured from the real tools in the lab VM',
  '',
  'Produced by `node build/scripts/lab/capture-fixtures.js` (Debian 12 guest, mdadm 4.2, util-linux 2.38, kernel 6.1).',
  '',
  '| file | command | state |',
  '|---|---|---|',
];

const s = new LabSession('fixtures');
await s.start();
try {
  const save = async (name: string, argv: string[], state: string, allowFailure = false): Promise<string> => {
    const r = await s.vm.exec(argv, { allowFailure });
    const text = r.stdout || r.stderr;
    writeFileSync(join(out, `${name}.txt`), text);
    index.push(`| ${name}.txt | \`${argv.join(' ')}\` | ${state} (exit ${r.exitCode}) |`);
    log(`captured ${name}`);
    return text;
  };
  await save('mdstat-idle', ['cat', '/proc/mdstat'], 'internal arrays only, md5/md6 degraded');
  await save(
    'detail-export-md5-degraded',
    ['mdadm', '--detail', '--export', '/dev/md5'],
    'degraded mirror, internal half only',
  );
  await save('detail-export-md7', ['mdadm', '--detail', '--export', '/dev/md7'], 'top mirror');
  await save('detail-export-md3', ['mdadm', '--detail', '--export', '/dev/md3'], 'internal stripe');
  await save('examine-md3-plain', ['mdadm', '--examine', '/dev/md3'], 'internal stripe carrying md5 superblock');
  await save('examine-bitmap-md3', ['mdadm', '--examine-bitmap', '/dev/md3'], 'bitmap of md5 on its internal half');
  await save(
    'examine-export-none',
    ['mdadm', '--examine', '--export', '/dev/vda'],
    'device without md superblock',
    true,
  );
  await s.plug('A');
  await s.waitFor(['sh', '-c', 'test $(lsblk -n -o NAME | wc -l) -ge 20'], 'set A partitions');
  await sleep(2000);
  const lsblk = await save(
    'lsblk-set-a',
    ['lsblk', '--json', '--list', '--bytes', '--output', 'NAME,KNAME,PKNAME,TYPE,SIZE,RO,RM,SERIAL,MODEL,TRAN'],
    'set A plugged in',
  );
  const devs = (
    JSON.parse(lsblk) as {
      blockdevices: Array<{ kname: string; serial: string | null; pkname: string | null; type: string }>;
    }
  ).blockdevices;
  const a0 = devs.find((d) => d.serial === 'A0')!.kname;
  const a1 = devs.find((d) => d.serial === 'A1')!.kname;
  await save(
    'mdstat-after-plug',
    ['cat', '/proc/mdstat'],
    'set A plugged in (shows whether udev auto-assembled anything)',
  );
  await save(
    'examine-export-stripe-member',
    ['mdadm', '--examine', '--export', `/dev/${a0}2`],
    'external stripe member',
  );
  await save(
    'examine-export-root-partition-new',
    ['mdadm', '--examine', '--export', `/dev/${a0}1`],
    'new set: root partition without superblock',
    true,
  );
  await s.vm.exec([
    'mdadm',
    '--assemble',
    '/dev/md8',
    `--uuid=${s.topo.uuids.md8}`,
    '--run',
    `/dev/${a0}2`,
    `/dev/${a1}2`,
  ]);
  await sleep(1500);
  await save('mdstat-stripe-assembled', ['cat', '/proc/mdstat'], 'md8 assembled (shows whether udev touched it)');
  await save(
    'examine-export-stripe-new',
    ['mdadm', '--examine', '--export', '/dev/md8'],
    'new set: stripe without mirror superblock',
    true,
  );
  await s.vm.exec(['mdadm', '/dev/md5', '--add', '/dev/md8']);
  await sleep(500);
  await save('mdstat-recovering', ['cat', '/proc/mdstat'], 'md5 recovering onto md8');
  await save('detail-export-md5-recovering', ['mdadm', '--detail', '--export', '/dev/md5'], 'md5 recovering');
  await save(
    'sysfs-md5-recovering',
    [
      'sh',
      '-c',
      'cd /sys/block/md5/md && for f in array_state degraded sync_action sync_completed sync_speed component_size raid_disks level; do echo "$f=$(cat $f)"; done; for d in dev-*; do echo "$d/state=$(cat $d/state) $d/slot=$(cat $d/slot)"; done',
    ],
    'md5 recovering (sysfs attributes)',
  );
  await s.vm.exec(['mdadm', '--wait', '/dev/md5'], { allowFailure: true, timeoutMs: 600_000 });
  await save('mdstat-clean', ['cat', '/proc/mdstat'], 'md5 clean with md8');
  await save(
    'sysfs-md5-clean',
    [
      'sh',
      '-c',
      'cd /sys/block/md5/md && for f in array_state degraded sync_action sync_completed sync_speed component_size raid_disks level; do echo "$f=$(cat $f)"; done; for d in dev-*; do echo "$d/state=$(cat $d/state) $d/slot=$(cat $d/slot)"; done; echo "bitmap/location=$(cat bitmap/location)"',
    ],
    'md5 clean (sysfs attributes)',
  );
  await save(
    'examine-export-stripe-member-of-md5',
    ['mdadm', '--examine', '--export', '/dev/md8'],
    'stripe after joining md5',
  );
  await s.vm.exec(['mdadm', '/dev/md5', '--fail', '/dev/md8']);
  await s.vm.exec(['mdadm', '/dev/md5', '--remove', '/dev/md8']);
  await s.vm.exec([
    'dd',
    'if=/dev/urandom',
    'of=/var/lib/backuppc/newdata.bin',
    'bs=1M',
    'count=8',
    'conv=fsync',
    'status=none',
  ]);
  await sleep(1000);
  await save(
    'examine-bitmap-md3-dirty',
    ['mdadm', '--examine-bitmap', '/dev/md3'],
    'bitmap after md8 left and 8 MiB were written',
  );
  await save(
    'mdstat-readonly-stripe',
    [
      'sh',
      '-c',
      'mdadm --stop /dev/md8 && mdadm --assemble /dev/md8 --readonly --run /dev/' +
        a0 +
        '2 /dev/' +
        a1 +
        '2 >/dev/null 2>&1; sleep 1; cat /proc/mdstat',
    ],
    'md8 assembled --readonly after the detach',
  );
  await s.vm.exec(['mdadm', '--stop', '/dev/md8'], { allowFailure: true });
  await save('sdparm-stop', ['sdparm', '--command=stop', `/dev/${a0}`], 'SCSI STOP on a QEMU disk', true);
  await save('hdparm-Y', ['hdparm', '-Y', `/dev/${a1}`], 'ATA sleep on a QEMU disk', true);
} finally {
  writeFileSync(join(out, 'README.md'), `${index.join('\n')}\n`);
  await s.close();
}
