// Checks on the guest's real state for the lab scenarios: a failed check (Check) fails the
// scenario; readers of the status, the mailbox and the rotation history.
import { sleep } from '../common.js';
import { lastMail, mailCount } from '../guest-install.js';
import type { LabSession, SetName } from '../session.js';

export class Check extends Error {}
export function expect(cond: unknown, what: string): void {
  if (!cond) throw new Check(what);
}

export interface HistoryEntry {
  id: string;
  set: string;
  outcome: string;
  pauseWindowMs?: number;
  resyncBytes?: number;
  joinMode?: string;
  syncEndedAt?: string;
  summary: string;
}

export async function status(
  s: LabSession,
): Promise<{ rotation: { set: string; phase: string } | null; history: HistoryEntry[]; waiting: string[] }> {
  return JSON.parse((await s.vm.exec(['baysync', 'status', '--json'])).stdout);
}

export async function waitMail(s: LabSession, subject: RegExp, before: number, timeoutMs = 600_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while ((await mailCount(s, subject)) <= before) {
    if (Date.now() > deadline) throw new Check(`no mail matching ${subject} within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
  return (await lastMail(s, subject)) ?? '';
}

/** Guest epoch seconds of exim's delivery of the newest mail to root. */
export async function lastDeliveryEpoch(s: LabSession): Promise<number> {
  const r = await s.vm.exec(['tail', '-n', '50', '/var/log/exim4/mainlog']);
  const lines = r.stdout.split('\n').filter((l) => l.includes('<root@localhost>') && l.includes(' => '));
  const last = lines.at(-1);
  if (!last) throw new Check('no delivery in the exim log');
  return Date.parse(`${last.slice(0, 19).replace(' ', 'T')}Z`) / 1000;
}

export async function waitIdle(s: LabSession, set: SetName, timeoutMs = 600_000): Promise<HistoryEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await status(s).catch(() => undefined);
    if (st && !st.rotation && st.history[0]?.set === set) return st.history[0];
    if (Date.now() > deadline) {
      const where = st?.rotation ? `still in phase ${st.rotation.phase}` : 'status not answered';
      throw new Check(`rotation of set ${set} did not end in ${timeoutMs / 1000} s (${where}); ${await daemonTail(s)}`);
    }
    await sleep(1000);
  }
}

/** The daemon's last journal lines, for a failure message. */
export async function daemonTail(s: LabSession, lines = 30): Promise<string> {
  const r = await s.vm.exec(
    ['journalctl', '-u', 'baysync', '-b', '--no-pager', '-o', 'short-monotonic', '-n', `${lines}`],
    {
      allowFailure: true,
    },
  );
  return `daemon journal:\n${r.stdout.trim()}`;
}
