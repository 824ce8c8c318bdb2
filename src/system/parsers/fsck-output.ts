// What a no-modify filesystem check said (`xfs_repair -n`, `e2fsck -f -n`), for the rotation's
// verification of a detached copy and for the snapshot copy's target. Contract: pure. Exit 0 is
// clean; an XFS log holding metadata changes (a frozen or snapshotted filesystem keeps them;
// only a mount replays them) makes the rest of xfs_repair's report unreliable, so it is "not
// conclusive", never "damaged"; anything else is damage, with the tool's findings on one line.
export type FsType = 'xfs' | 'ext4';

export interface FsckVerdict {
  tool: string;
  ok: boolean;
  conclusive?: false;
  detail: string;
}

/** xfs_repair's words for a log it did not replay: what it reports next may be spurious. */
const dirtyLog = /valuable metadata changes in a log/;
const dirtyLogWhy =
  "the log holds metadata changes that only a mount replays (a frozen filesystem's copy keeps them), so what it reports besides may be spurious; the block and file levels stand";

export const fsckTool = (type: FsType): string => (type === 'xfs' ? 'xfs_repair -n' : 'e2fsck -fn');

/** The tool's findings: its output without the phase headings and progress lines, on one line. */
export const fsckFindings = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trim().replace(/\s+[A-Z][a-z]+( [a-z]+)?\? no$/, ''))
    .filter(
      (l) =>
        l &&
        !/^(Phase \d|Pass \d|e2fsck \d|- |No modify flag|Cannot get host filesystem geometry|Repair may fail|the image and the host|Fix\? no$)/.test(
          l,
        ),
    )
    .slice(0, 6)
    .join(' / ');

export function fsckVerdict(type: FsType, exitCode: number, output: string): FsckVerdict {
  const tool = fsckTool(type);
  if (exitCode === 0) return { tool, ok: true, detail: `${tool}: clean` };
  if (type === 'xfs' && dirtyLog.test(output))
    return { tool, ok: true, conclusive: false, detail: `${tool}: not conclusive, ${dirtyLogWhy}` };
  return { tool, ok: false, detail: `${tool} found damage (exit ${exitCode}): ${fsckFindings(output)}` };
}
