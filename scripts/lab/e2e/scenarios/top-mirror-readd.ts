// Lab scenario 'top-mirror-readd' (issue 11, section 4): a power cut that leaves the top mirror
// on one half, as a reset during the detach once did (md7 started on md6 alone, see
// hard-reset-mid-sync). That reset does not reproduce on demand, so the dropped half is made
// by hand: md5 is failed in md7, data is written, the machine is reset (the boot has been
// seen both to start md7 on md6 alone and to take md5 back through the bitmap; in the second
// case md5 is failed and removed again), and more data is written while md7 runs on md6 alone. The daemon must say so (mail, check CRITICAL); the
// operator's re-add (the command the mail gives) must be a bitmap re-add that resyncs only the
// dirty chunks. The bytes resynced are printed two ways: md7's dirty bits before the re-add
// (read from md6 with mdadm -X) and the sectors md5 wrote during the recovery. The failure also
// shows that an md event reaches the daemon through mdadm's PROGRAM hook (issue 12, section 4).

import { log, sleep } from '../../common.js';
import { mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { expect, waitMail } from '../assert.js';
import { writeData } from '../copy.js';
import { figures } from '../figures.js';

const MiB = 1024 * 1024;

/** Sectors written to a block device since boot (/sys/block/X/stat, field 7). */
async function sectorsWritten(s: LabSession, dev: string): Promise<number> {
  const f = (await s.vm.readFile(`/sys/block/${dev}/stat`)).trim().split(/\s+/);
  return Number(f[6]);
}

export async function run(s: LabSession): Promise<void> {
  await writeData(s, 8, 'base.bin');
  const before = await mailCount(s, /runs without one of its mirrors/);
  // The install restarted mdmonitor: its first scan reports each array as it finds it (md1, md5,
  // md6, then md7 as NewArray on Debian 13's mdadm 4.4). A member failed before the scan reached
  // md7 is reported as the state it finds, not as a Fail event (seen twice, 2026-12-02), so the
  // fail waits for md7's line.
  await s.waitFor(
    ['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '--grep', 'md event NewArray on .*md.?7'],
    "mdadm --monitor's first scan reaching the daemon",
    90_000,
  );
  // A fail made right after that line was not reported in 150 s (twice); one made 45 s after the
  // install was reported at once (debug run, 2026-12-02). The monitor is given time to settle.
  await sleep(30_000);
  const failedAt = Date.now();
  await s.vm.exec(['mdadm', '/dev/md7', '--fail', '/dev/md5']);
  // mdadm --monitor runs the package's PROGRAM hook. It notices the failure at its next look at
  // /proc/mdstat, which may be its --delay (60 s by default) after the last one: 150 s allowed.
  await s.waitFor(
    ['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '--grep', 'md event Fail on .*md.?7'],
    "the md event reaching the daemon through mdadm's PROGRAM hook",
    150_000,
  );
  log(
    `top mirror: the Fail event reached the daemon ${((Date.now() - failedAt) / 1000).toFixed(1)} s after mdadm --fail`,
  );
  await writeData(s, 2, 'before-cut.bin');
  await s.vm.exec(['sync']);
  await s.vm.hardReset();
  await s.waitFor(['mountpoint', '-q', '/var/lib/backuppc'], 'the pool after the reset', 180_000);
  const md7 = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md7'])).stdout;
  log(`top mirror after the reset:\n${md7}`);
  if (/MD_DEVICE_dev_md5_ROLE=\d/.test(md7)) {
    // Seen too: with md7's bitmap, the boot's assembly took the stale md5 back itself. The
    // operator's case is then made on the running system: md5 failed and removed again.
    log('the boot took md5 back into md7 through the bitmap; dropping it again on the running system');
    await s.vm.exec(['mdadm', '--wait', '/dev/md7'], { allowFailure: true, timeoutMs: 300_000 });
    await s.vm.exec(['mdadm', '/dev/md7', '--fail', '/dev/md5', '--remove', '/dev/md5']);
  }
  const now = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md7'])).stdout;
  expect(!/MD_DEVICE_dev_md5_ROLE=\d/.test(now), `md7 runs without md5:\n${now}`);
  await writeData(s, 4, 'after-cut.bin');
  await s.vm.exec(['sync']);
  const mail = await waitMail(s, /runs without one of its mirrors/, before, 180_000);
  expect(/--re-add \/dev\/md5/.test(mail), `the mail gives the re-add command (${mail.slice(0, 400)})`);
  const check = await s.vm.exec(['baysync', 'check'], { allowFailure: true });
  expect(check.exitCode === 2, `baysync check is CRITICAL while md7 runs on one half (${check.stdout.trim()})`);
  // md7's bitmap, as md6 carries it: the chunks written while md5 was out.
  const x = (await s.vm.exec(['mdadm', '-X', '/dev/md6'])).stdout;
  const dirty = Number(/(\d+) dirty/.exec(x)?.[1] ?? Number.NaN);
  const chunkMiB = Number(/Chunksize : (\d+) MB/.exec(x)?.[1] ?? Number.NaN);
  const size = Number((await s.vm.exec(['blockdev', '--getsize64', '/dev/md7'])).stdout.trim());
  const w0 = await sectorsWritten(s, 'md5');
  const re = await s.vm.exec(['mdadm', '/dev/md7', '--re-add', '/dev/md5'], { allowFailure: true });
  expect(re.exitCode === 0, `the re-add is accepted: md7 has a bitmap (${re.stderr.trim()})`);
  await sleep(1000);
  await s.vm.exec(['mdadm', '--wait', '/dev/md7'], { allowFailure: true, timeoutMs: 600_000 });
  const written = ((await sectorsWritten(s, 'md5')) - w0) * 512;
  const after = (await s.vm.exec(['mdadm', '--detail', '--export', '/dev/md7'])).stdout;
  const pct = (100 * written) / size;
  log(
    `top mirror re-add: md7's bitmap had ${dirty} dirty chunks of ${chunkMiB} MiB (${(dirty * chunkMiB).toFixed(0)} MiB) before the re-add; md5 wrote ${(written / MiB).toFixed(1)} MiB during the recovery, ${pct.toFixed(1)} % of the ${(size / MiB).toFixed(0)} MiB array (a re-add without a bitmap rewrites all of it)`,
  );
  figures.topReaddPct.push(pct);
  const degraded = (await s.vm.readFile('/sys/block/md7/md/degraded')).trim();
  expect(
    /MD_DEVICE_dev_md5_ROLE=\d/.test(after) && degraded === '0',
    `md7 has both halves again (degraded ${degraded})`,
  );
  expect(dirty > 0 && dirty * chunkMiB * MiB < size / 4, `only a few chunks were dirty (${dirty})`);
  expect(pct < 25, `the re-add resynced ${pct.toFixed(1)} % of md7, not a full copy`);
  // The daemon sees the pool whole again: check leaves CRITICAL.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const c = await s.vm.exec(['baysync', 'check'], { allowFailure: true });
    if (c.exitCode !== 2) break;
    if (Date.now() > deadline) expect(false, `check still CRITICAL after the re-add (${c.stdout.trim()})`);
    await sleep(2000);
  }
}
