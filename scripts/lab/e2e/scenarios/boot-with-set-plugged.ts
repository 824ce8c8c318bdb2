// Lab scenario 'boot-with-set-plugged' (issue 11, section 3): what a boot does with a set's root
// partitions. They carry md1's own UUID (the copy must boot alone), so `ARRAY <ignore>` cannot
// exclude them. Set A rotates, the root filesystem is written (A's partitions are now stale),
// and the machine is reset with A still attached: the daemon is held at boot so that the boot
// itself is seen. The scenario prints what md did with A's root partitions and the stripe, and
// checks invariant 2 (the stripe is not assembled, md5 comes up from its internal half only) and
// that md1 runs from its internal members. Then the daemon starts: it must take A's partitions
// back out of md1 and mail the operator, before the rotation of A that follows (auto_start)
// adds them properly and takes them out again at its detach.
import { log, sleep } from '../../common.js';
import { mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { expect, status, waitMail } from '../assert.js';
import { writeData } from '../copy.js';
import { holdDaemonAtNextBoot, rotation } from '../rotation.js';

async function setDisks(s: LabSession): Promise<string[]> {
  const l = JSON.parse((await s.vm.exec(['lsblk', '--json', '--list', '-o', 'KNAME,SERIAL'])).stdout) as {
    blockdevices: Array<{ kname: string; serial: string | null }>;
  };
  return l.blockdevices.filter((d) => d.serial === 'A0' || d.serial === 'A1').map((d) => d.kname);
}

export async function run(s: LabSession): Promise<void> {
  await writeData(s, 4, 'base.bin');
  const first = await rotation(s, 'A');
  // The root filesystem moves on: A's root partitions are now behind md1.
  await s.vm.writeFile('/root/after-rotation', `${Date.now()}\n`);
  await s.vm.exec(['sync']);
  const eventsBefore = /Events : (\d+)/.exec((await s.vm.exec(['mdadm', '--detail', '/dev/md1'])).stdout)?.[1];
  await holdDaemonAtNextBoot(s);
  await s.vm.hardReset(); // A's disks stay attached to the controller: the boot sees them
  await s.waitFor(['mountpoint', '-q', '/var/lib/backuppc'], 'the pool after the reset', 180_000);
  const disks = await setDisks(s);
  expect(disks.length === 2, `set A's disks are seen at boot (${disks.join(', ')})`);
  const mdstat = (await s.vm.exec(['cat', '/proc/mdstat'])).stdout;
  const md1 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md1'])).stdout;
  const takenAtBoot = disks.filter((d) => md1.includes(`/dev/${d}1`) || md1.includes(`_${d}1_`));
  const kernel = (
    await s.vm.exec(['journalctl', '-k', '-b', '--no-pager', '-o', 'cat', '--grep', 'md1|md/raid1:md1'], {
      allowFailure: true,
    })
  ).stdout;
  log(
    `boot with set A plugged in: md1 ${takenAtBoot.length ? `TOOK ${takenAtBoot.map((d) => `${d}1`).join(', ')}` : "did not take A's root partitions"} (md1 events before the reset ${eventsBefore})\n${mdstat}\n${md1}\n${kernel}`,
  );
  expect(!/^md8 /m.test(mdstat), 'invariant 2: the external stripe was not assembled at boot');
  const md5 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md5'])).stdout;
  expect(!/md8/.test(md5), 'invariant 2: md5 came up from its internal half only');
  expect(
    (await s.vm.exec(['cat', '/root/after-rotation'], { allowFailure: true })).exitCode === 0,
    'the root filesystem is the internal one (the file written after the rotation is there)',
  );
  // Whether md takes them depends on the order the disks appear at boot (seen both ways). When
  // it did not, do what udev's incremental assembly did in the run that saw it, so that the
  // daemon's handling is tested either way.
  if (!takenAtBoot.length) {
    const r = await s.vm.exec(['mdadm', '--incremental', '--run', `/dev/${disks[0]}1`], { allowFailure: true });
    log(
      `mdadm --incremental --run /dev/${disks[0]}1 (what the boot did before): exit ${r.exitCode} ${r.stderr.trim()}`,
    );
  }
  const md1Now = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md1'])).stdout;
  const taken = disks.filter((d) => md1Now.includes(`/dev/${d}1`) || md1Now.includes(`_${d}1_`));
  expect(taken.length > 0, `md1 holds one of A's root partitions before the daemon starts:\n${md1Now}`);
  // The daemon starts: md1 gives A's partitions back before anything else.
  const mailsBefore = await mailCount(s, /took a set's root partition at boot/);
  const lastId = first.id;
  await s.vm.exec(['rm', '/etc/baysync/lab-hold']);
  await s.vm.exec(['systemctl', 'start', 'baysync.service']);
  const mail = await waitMail(s, /took a set's root partition at boot/, mailsBefore, 120_000);
  log(`the daemon at start:\n${mail}`);
  for (const d of taken) expect(mail.includes(`${d}1`), `the mail names ${d}1`);
  const warned = (
    await s.vm.exec(
      ['journalctl', '-u', 'baysync', '-b', '--no-pager', '-o', 'cat', '-p', 'warning', '--grep', 'had taken set A'],
      {
        allowFailure: true,
      },
    )
  ).stdout;
  expect(warned.trim().length > 0, 'the journal has the warning');
  // The rotation of A that follows adds them properly and takes them out at its detach.
  const deadline = Date.now() + 600_000;
  for (;;) {
    const st = await status(s).catch(() => undefined);
    const h = st?.history[0];
    if (st && !st.rotation && h && h.id !== lastId) {
      expect(
        h.set === 'A' && h.outcome === 'success',
        `the rotation after the boot ended in success (${h.outcome}: ${h.summary})`,
      );
      break;
    }
    if (Date.now() > deadline) expect(false, 'the rotation after the boot did not end');
    await sleep(2000);
  }
  const md1After = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md1'])).stdout;
  expect(
    !disks.some((d) => md1After.includes(`_${d}1_`) || md1After.includes(`/dev/${d}1`)),
    `A's root partitions are out of md1 after the rotation:\n${md1After}`,
  );
}
