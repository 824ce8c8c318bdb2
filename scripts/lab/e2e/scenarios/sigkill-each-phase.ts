// Lab scenario 'sigkill-each-phase': 2. The daemon is SIGKILLed once in each phase; systemd
// restarts it and the rotation completes.
import { log } from '../../common.js';
import { guestNode, mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check, expect, waitIdle, waitMail } from '../assert.js';
import { diagnoseVerify, writeData } from '../copy.js';
import { killerScript } from '../rotation.js';

export async function run(s: LabSession): Promise<void> {
  await s.vm.writeFile('/root/killer.mjs', killerScript);
  // syncing first: the first rotation of a set is a full recovery, long enough to be caught.
  // E2E_KILL_PHASES=a,b picks phases (for investigating one; the first rotation is a full copy).
  const phases = process.env.E2E_KILL_PHASES?.split(',') ?? [
    'syncing',
    'assembling',
    'joining',
    'pausing',
    'detaching',
    'verifying',
    'spinning-down',
    'reporting',
  ];
  for (const phase of phases) {
    // Under TCG a full recovery of the lab array takes about 5 s, often less than the steps
    // before the wait: md's own speed limit makes the syncing phase long enough to be caught.
    await s.vm.exec(['sysctl', '-q', '-w', `dev.raid.speed_limit_max=${phase === 'syncing' ? 10000 : 200000}`]);
    await writeData(s, 2, `kill-${phase}.bin`);
    await s.vm.exec(['rm', '-f', '/root/killer.ready']);
    const { pid } = await s.vm.startBackground([guestNode, '/root/killer.mjs', phase]);
    // The daemon reaches the early phases within a second of the plug-in; under TCG Node takes
    // about as long to start, so the killer must be watching before the set is plugged in.
    await s.waitFor(['test', '-e', '/root/killer.ready'], 'the killer to watch the state', 60_000);
    const before = await mailCount(s, /set A: offline copy done/);
    await s.plug('A');
    const killed = await s.vm.waitBackground(pid, 240_000);
    expect(
      killed.exitCode === 0,
      `the daemon was killed in phase ${phase} (${killed.stdout.trim() || 'phase not seen'})`,
    );
    const h = await waitIdle(s, 'A', 300_000);
    if (/verification failed/i.test(h.summary))
      throw new Check(`after a kill in ${phase} the verification failed (${h.summary})\n${await diagnoseVerify(s, h)}`);
    await waitMail(s, /set A: offline copy done/, before, 300_000);
    expect(h.outcome === 'success', `after a kill in ${phase} the rotation completed (${h.summary})`);
    const ctl = await s.vm.readFile('/etc/backuppc/external-control.pl');
    expect(/BackupsDisable\} = 0/.test(ctl), `BackupPC dumps enabled after a kill in ${phase}`);
    expect(
      (await s.vm.exec(['systemctl', 'is-active', 'backuppc'], { allowFailure: true })).stdout.trim() === 'active',
      `BackupPC running after a kill in ${phase}`,
    );
    await s.unplug('A');
    log(`  killed in ${phase}: completed`);
  }
}
