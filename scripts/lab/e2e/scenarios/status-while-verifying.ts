// Lab scenario 'status-while-verifying' (issue 10, section 4): while set A's copy is being
// verified, the control socket answers `status` and a second set plugged in is told it waits.
// A probe in the guest asks for status every 300 ms over the socket (no CLI start-up in the
// figure) and notes each answer's time and phase; set B is plugged in once A verifies, and the
// notice's delay is read from the journal (kernel attach of B's disk to the daemon's "waits").
// The figures are printed against their targets (1 s, 2 s); only the behaviour is asserted.
import { sleep } from '../../common.js';
import { guestNode } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check, expect, status, waitIdle } from '../assert.js';
import { figures } from '../figures.js';

const probe = `
const { request } = await import('/usr/lib/baysync/build/src/daemon/control-client.js');
const fs = await import('node:fs');
const out = [];
const end = Date.now() + 900000;
while (Date.now() < end) {
  const t0 = performance.now();
  const st = await request('/run/baysync/control.sock', { cmd: 'status' }, 60000).catch(() => undefined);
  const ms = performance.now() - t0;
  const phase = st?.rotation?.phase ?? null;
  out.push({ ms, phase });
  if (phase === 'verifying') fs.writeFileSync('/run/baysync-probe-verifying', '');
  fs.writeFileSync('/run/baysync-probe.json', JSON.stringify(out));
  if (out.some((o) => o.phase === 'verifying') && phase !== 'verifying') break;
  await new Promise((r) => setTimeout(r, 300));
}
`;

/** Monotonic seconds of the first journal line matching `re` (kernel and daemon lines alike). */
async function journalAt(s: LabSession, re: RegExp): Promise<number | undefined> {
  const j = (await s.vm.exec(['journalctl', '-b', '-o', 'short-monotonic', '--no-pager'])).stdout;
  for (const l of j.split('\n')) {
    const m = /^\[\s*([\d.]+)\]/.exec(l);
    if (m && re.test(l)) return Number(m[1]);
  }
  return undefined;
}

export async function run(s: LabSession): Promise<void> {
  await s.vm.writeFile('/run/baysync-probe.mjs', probe);
  await s.vm.exec(['systemd-run', '--unit=baysync-probe', '--collect', guestNode, '/run/baysync-probe.mjs']);
  await s.plug('A');
  const deadline = Date.now() + 600_000;
  while ((await s.vm.exec(['test', '-e', '/run/baysync-probe-verifying'], { allowFailure: true })).exitCode !== 0) {
    if (Date.now() > deadline) throw new Check('set A never reached the verification');
    await sleep(250);
  }
  await s.plug('B');
  // B rotates right after A: wait for B's end, then read A's entry in the history.
  const b = await waitIdle(s, 'B');
  expect(b.outcome === 'success', `set B rotated next (${b.summary})`);
  const a = (await status(s)).history.find((x) => x.set === 'A');
  expect(a?.outcome === 'success', `set A rotated (${a?.summary})`);
  const answers: Array<{ ms: number; phase: string | null }> = JSON.parse(
    (await s.vm.exec(['cat', '/run/baysync-probe.json'])).stdout,
  );
  const during = answers.filter((x) => x.phase === 'verifying');
  expect(during.length > 0, 'the probe got answers while A was verifying');
  figures.statusDuringVerifyMs.push(...during.map((x) => x.ms));
  // The same probe in A's other phases (checking to detaching), side by side with the above.
  figures.statusOtherPhasesMs.push(...answers.filter((x) => x.phase && x.phase !== 'verifying').map((x) => x.ms));
  const attached = await journalAt(s, /\[sd[gh]\] Attached SCSI disk/);
  const told = await journalAt(s, /set B plugged in while set A rotates: it waits/);
  expect(told !== undefined, 'the daemon said that set B waits');
  if (attached !== undefined && told !== undefined) figures.waitNoticeS.push(told - attached);
}
