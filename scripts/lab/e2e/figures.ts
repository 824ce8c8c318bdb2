// The lab figures the scenarios measure (plug-in to sync, clean to mail, BackupPC window,
// returning-set resync), collected while the suite runs and printed with their targets.

export interface Figures {
  plugToSyncS: number[];
  /** The same, from the host: QMP hot-plug and 0.3-0.5 s guest-agent polls included. */
  plugToSyncHostS: number[];
  cleanToMailS: number[];
  pauseWindowS: number[];
  returningResyncPct: number[];
  /** Control-socket answers to `status` while a copy is verified (ms). */
  statusDuringVerifyMs: number[];
  /** The same in the rotation's other phases (ms), for comparison. */
  statusOtherPhasesMs: number[];
  /** A second set plugged in during a verification: kernel attach to the daemon's notice (s). */
  waitNoticeS: number[];
  /** Share of a fresh copy proved block by block right after its detach (%). */
  provedPct: number[];
  /** The top mirror's dropped half re-added after a power cut: share of the array resynced (%). */
  topReaddPct: number[];
}
export const figures: Figures = {
  statusDuringVerifyMs: [],
  statusOtherPhasesMs: [],
  waitNoticeS: [],
  plugToSyncS: [],
  plugToSyncHostS: [],
  cleanToMailS: [],
  pauseWindowS: [],
  returningResyncPct: [],
  provedPct: [],
  topReaddPct: [],
};

const med = (a: number[]): string =>
  a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1) : '-';
const max = (a: number[]): string =>
  a.length ? `${Math.max(...a).toFixed(1)} s [${a.map((x) => x.toFixed(1)).join(', ')}]` : '-';

/** The figures the scenarios measured, with their targets. */
export function figureLines(): string[] {
  const out: string[] = ['', 'e2e figures (lab VM, TCG, 2 vCPUs)'];
  const ms = figures.statusDuringVerifyMs;
  out.push(
    `  status answered while verifying:   median ${med(ms.map((x) => x / 1000))} s, max ${max(ms.map((x) => x / 1000))} (target < 1 s; n=${ms.length})`,
  );
  const other = figures.statusOtherPhasesMs.map((x) => x / 1000);
  out.push(
    `    (the same probe in the other phases: median ${med(other)} s, max ${max(other).replace(/ \[.*\]$/, '')}; n=${other.length})`,
  );
  out.push(
    `  second set told it waits:          median ${med(figures.waitNoticeS)} s, max ${max(figures.waitNoticeS)} (target < 2 s; n=${figures.waitNoticeS.length})`,
  );
  out.push(
    `  plug-in -> sync started:           median ${med(figures.plugToSyncS)} s, max ${max(figures.plugToSyncS)} (target < 3 s; n=${figures.plugToSyncS.length})`,
  );
  out.push(
    `    (seen from the host, QMP and polling included: median ${med(figures.plugToSyncHostS)} s, max ${max(figures.plugToSyncHostS)})`,
  );
  out.push(
    `  mirror clean -> mail delivered:     median ${med(figures.cleanToMailS)} s, max ${max(figures.cleanToMailS)} (target < 20 s; n=${figures.cleanToMailS.length})`,
  );
  out.push(
    `  BackupPC stopped-window (detach):   median ${med(figures.pauseWindowS)} s, max ${max(figures.pauseWindowS)} (target < 15 s; n=${figures.pauseWindowS.length})`,
  );
  out.push(
    `  returning-set resync, 1% changed:   ${figures.returningResyncPct.map((p) => `${p.toFixed(1)} %`).join(', ') || '-'} of the array (target < 5 %)`,
  );
  out.push(
    `  copy proved block by block:        ${figures.provedPct.map((p) => `${p} %`).join(', ') || '-'} of the array, right after the detach`,
  );
  out.push(
    `  top mirror half re-added (bitmap):  ${figures.topReaddPct.map((p) => `${p.toFixed(1)} %`).join(', ') || '-'} of the array resynced after the power cut`,
  );
  return out;
}
