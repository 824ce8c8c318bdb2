// Lab scenario 'both-sets-at-once': 8. Both sets plugged in at once: one rotates, the other
// waits and the operator is told.
import { mailCount } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { expect, status, waitMail } from '../assert.js';

export async function run(s: LabSession): Promise<void> {
  const beforeA = await mailCount(s, /set A: offline copy done/);
  const beforeB = await mailCount(s, /set B: offline copy done/);
  await s.plug('A');
  await s.plug('B');
  await waitMail(s, /set [AB] waits/, 0, 120_000);
  const st = await status(s);
  expect(
    st.rotation !== null && st.waiting.length === 1,
    `one rotates, one waits (rotating ${st.rotation?.set}, waiting ${st.waiting.join(',')})`,
  );
  await waitMail(s, /set A: offline copy done/, beforeA);
  await waitMail(s, /set B: offline copy done/, beforeB);
  const md9 = (await s.vm.exec(['cat', '/proc/mdstat'])).stdout;
  expect(!/^md[89] /m.test(md9), 'both stripes stopped at the end');
}
