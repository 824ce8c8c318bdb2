// Lab scenario 'foreign-disks-untouched': 5. An unknown md member and a blank disk stay
// byte-for-byte untouched.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../common.js';
import type { LabSession } from '../../session.js';
import { expect, status } from '../assert.js';

export async function run(s: LabSession): Promise<void> {
  const { execa } = await import('execa');
  const dir = s.dir;
  const foreign = join(dir, 'foreign.qcow2');
  const blank = join(dir, 'blank.qcow2');
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', blank, '64M']);
  // A disk carrying an md superblock of an array nobody configured: built in the guest first.
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', foreign, '64M']);
  await s.vm.plug({ id: 'foreign', file: foreign });
  await sleep(2000);
  const lsblk = JSON.parse((await s.vm.exec(['lsblk', '--json', '--list', '-o', 'KNAME,SERIAL'])).stdout) as {
    blockdevices: Array<{ kname: string; serial: string | null }>;
  };
  const fdev = lsblk.blockdevices.find((d) => d.serial === 'FOREIGN')!.kname;
  await s.vm.exec([
    'mdadm',
    '--create',
    '/dev/md100',
    '--run',
    '--level=1',
    '--raid-devices=2',
    '--metadata=1.2',
    `/dev/${fdev}`,
    'missing',
  ]);
  await s.vm.exec(['mdadm', '--stop', '/dev/md100']);
  await s.vm.exec(['sync']);
  await s.vm.unplug('foreign');
  const hash = async (f: string): Promise<string> => {
    const raw = join(dir, `${Date.now()}.raw`);
    await execa('qemu-img', ['convert', '-O', 'raw', f, raw]);
    const h = createHash('sha256').update(readFileSync(raw)).digest('hex');
    (await import('node:fs')).rmSync(raw);
    return h;
  };
  const before = { foreign: await hash(foreign), blank: await hash(blank) };
  await s.vm.plug({ id: 'foreign', file: foreign });
  await s.vm.plug({ id: 'blank', file: blank });
  await sleep(8000);
  const st = await status(s);
  expect(st.rotation === null, 'no rotation started for foreign disks');
  await s.vm.unplug('foreign');
  await s.vm.unplug('blank');
  expect((await hash(foreign)) === before.foreign, 'the unknown md member is byte-for-byte unchanged');
  expect((await hash(blank)) === before.blank, 'the blank disk is byte-for-byte unchanged');
}
