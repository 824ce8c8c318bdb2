// Lab scenario 'surprise-removal': 4. A disk of the set is pulled mid-sync: abort mail,
// BackupPC enabled, internal side untouched.
import { mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { expect, waitMail } from '../assert.js';
import { writeData } from '../copy.js';
import { plugAndTimeSync } from '../rotation.js';

export async function run(s: LabSession): Promise<void> {
  await writeData(s, 64, 'big.bin'); // enough dirty data that the first sync takes a while
  const before = await mailCount(s, /ABORTED/);
  await plugAndTimeSync(s, 'A');
  await s.vm.unplug('a1');
  await waitMail(s, /set A: rotation ABORTED/, before, 180_000);
  const ctl = await s.vm.readFile('/etc/backuppc/external-control.pl');
  expect(/BackupsDisable\} = 0/.test(ctl), 'BackupPC dumps enabled again');
  expect(
    (await s.vm.exec(['systemctl', 'is-active', 'backuppc'], { allowFailure: true })).stdout.trim() === 'active',
    'BackupPC running',
  );
  const md5 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md5'])).stdout;
  expect(!/md8/.test(md5) && /MD_DEVICE_dev_md3_ROLE=0/.test(md5), 'md5 holds only its internal half');
  expect(
    (await s.vm.exec(['mountpoint', '-q', '/var/lib/backuppc'], { allowFailure: true })).exitCode === 0,
    'the pool is still mounted',
  );
}
