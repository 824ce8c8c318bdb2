// Lab scenario 'mta-down': 7. The MTA is down during the rotation: the rotation completes, the
// mail arrives once it is back.
import { sleep } from '../../common.js';
import { mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check, expect, status, waitMail } from '../assert.js';
import { plugAndTimeSync } from '../rotation.js';

export async function run(s: LabSession): Promise<void> {
  const mode = (await s.vm.exec(['stat', '-c', '%a', '/usr/sbin/exim4'])).stdout.trim(); // 4755: exim is setuid root
  await s.vm.exec(['systemctl', 'stop', 'exim4']);
  await s.vm.exec(['chmod', '0', '/usr/sbin/exim4']); // sendmail itself fails, not only the daemon
  const before = await mailCount(s, /set A: offline copy done/);
  await plugAndTimeSync(s, 'A');
  const deadline = Date.now() + 600_000;
  for (;;) {
    const st = await status(s);
    if (!st.rotation && st.history[0]?.set === 'A') {
      expect(st.history[0].outcome === 'success', 'rotation completed with the MTA down');
      break;
    }
    if (Date.now() > deadline) throw new Check('rotation did not complete');
    await sleep(2000);
  }
  expect((await mailCount(s, /set A: offline copy done/)) === before, 'no mail while the MTA is down');
  await s.vm.exec(['chmod', mode, '/usr/sbin/exim4']);
  await s.vm.exec(['systemctl', 'start', 'exim4']);
  await waitMail(s, /set A: offline copy done/, before, 180_000);
}
