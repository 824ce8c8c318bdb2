// Driving a rotation in the lab: plug a set and time the start of the sync, run a whole
// rotation with its figures, and the script that kills the daemon in a chosen phase.
import { log, sleep } from '../common.js';
import { mailCount } from '../guest-install.js';
import type { LabSession, SetName } from '../session.js';
import { Check, expect, type HistoryEntry, lastDeliveryEpoch, status, waitMail } from './assert.js';
import { figures } from './figures.js';

/**
 * Plug a set and return seconds until md started the recovery, both taken in the guest: the
 * guest's clock just before the first disk is hot-plugged (an exec round trip earlier than the
 * plug itself, so the figure errs long), and the kernel's "md: recovery of RAID array" line. The
 * host polls sysfs meanwhile only to know that it happened (its 0.3-0.5 s exec round trips would
 * blur the figure).
 */
export async function plugAndTimeSync(s: LabSession, set: SetName): Promise<{ seconds: number; hostSeconds: number }> {
  const md = set === 'A' ? 'md5' : 'md6';
  const t0 = Number((await s.vm.exec(['date', '+%s.%N'])).stdout);
  const hostT0 = Date.now();
  await s.plug(set);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await s.vm.exec(['cat', `/sys/block/${md}/md/sync_action`, `/sys/block/${md}/md/degraded`], {
      allowFailure: true,
    });
    const [action, degraded] = r.stdout.split('\n');
    if (action === 'recover' || action === 'resync' || degraded === '0') break;
    if (Date.now() > deadline) throw new Check(`the sync of set ${set} did not start within 120 s`);
    await sleep(100);
  }
  const hostSeconds = (Date.now() - hostT0) / 1000;
  /** Guest journal entries from t0 on: epoch seconds and the rest of the short-unix line. */
  const journal = async (...args: string[]): Promise<Array<{ t: number; text: string }>> =>
    (
      await s.vm.exec(
        ['journalctl', '-b', '--no-pager', '-o', 'short-unix', '--since', `@${Math.floor(t0)}`, ...args],
        { allowFailure: true },
      )
    ).stdout
      .split('\n')
      .map((l) => ({ t: Number(l.split(' ')[0]), text: l.slice(l.indexOf(' ') + 1) }))
      .filter((e) => e.t >= t0);
  const started = (await journal('-k', '--grep', `md: recovery of RAID array ${md}`))[0]?.t;
  if (process.env.E2E_TRACE === '1') {
    // Every journal line from the plug-in to the sync start, to see where the time goes.
    const lines = (await journal()).filter((e) => started === undefined || e.t <= started + 0.01);
    log(`trace of set ${set}'s plug-in:\n${lines.map((e) => `+${(e.t - t0).toFixed(3)} ${e.text}`).join('\n')}`);
  }
  // A returning set with nothing to resync may leave no recovery line: the host's time then.
  return { seconds: started === undefined ? hostSeconds : started - t0, hostSeconds };
}

/** A full rotation with figures; returns the history entry. */
export async function rotation(s: LabSession, set: SetName): Promise<HistoryEntry> {
  // Any end of the rotation (a failed or aborted one fails the check below at once, not after
  // the mail wait's ten minutes).
  const subject = new RegExp(`set ${set}: (offline copy done|VERIFICATION FAILED|rotation ABORTED)`);
  const before = await mailCount(s, subject);
  const plugged = await plugAndTimeSync(s, set);
  figures.plugToSyncS.push(plugged.seconds);
  figures.plugToSyncHostS.push(plugged.hostSeconds);
  await waitMail(s, subject, before);
  const delivered = await lastDeliveryEpoch(s);
  const h = (await status(s)).history.find((x) => x.set === set)!;
  expect(h.outcome === 'success', `set ${set} rotation succeeded (${h.summary})`);
  if (h.syncEndedAt) figures.cleanToMailS.push(delivered - Date.parse(h.syncEndedAt) / 1000);
  if (h.pauseWindowMs !== undefined) figures.pauseWindowS.push(h.pauseWindowMs / 1000);
  return h;
}

export const killerScript = `import { watch, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const phase = process.argv[2];
const check = () => {
  try {
    const s = JSON.parse(readFileSync('/var/lib/baysync/state.json', 'utf8'));
    if (s.rotation && s.rotation.phase === phase) {
      const pid = Number(execFileSync('systemctl', ['show', '-p', 'MainPID', '--value', 'baysync']).toString());
      process.kill(pid, 'SIGKILL');
      process.stdout.write('killed ' + pid + ' in ' + phase + '\\n');
      process.exit(0);
    }
  } catch {}
};
watch('/var/lib/baysync', check);
setInterval(check, 10);
writeFileSync('/root/killer.ready', String(process.pid));
setTimeout(() => process.exit(2), 240000);
`;

/**
 * Hold the daemon at the next boot (a start condition; multi-user.target would start it
 * otherwise), so that the boot itself can be checked; removing /etc/baysync/lab-hold and
 * starting it is the operator's resume.
 */
export async function holdDaemonAtNextBoot(s: LabSession): Promise<void> {
  await s.vm.exec(['mkdir', '-p', '/etc/systemd/system/baysync.service.d']);
  await s.vm.writeFile(
    '/etc/systemd/system/baysync.service.d/lab-hold.conf',
    '[Unit]\nConditionPathExists=!/etc/baysync/lab-hold\n',
  );
  await s.vm.writeFile('/etc/baysync/lab-hold', '');
  await s.vm.exec(['systemctl', 'daemon-reload']);
  await s.vm.exec(['sync']);
}
