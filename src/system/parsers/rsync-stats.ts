// Parser for `rsync --stats` output (rsync 3.2+: created and deleted counts included).
// Contract: pure; numbers with thousands separators are read whole; a missing line gives
// undefined for that field, never a guess. Fixtures: test/fixtures/net/rsync-stats-*.txt.
export interface RsyncStats {
  files?: number;
  regularFiles?: number;
  created?: number;
  deleted?: number;
  transferred?: number;
  totalSize?: number;
  transferredSize?: number;
  bytesSent?: number;
  bytesReceived?: number;
}

const num = (s: string | undefined): number | undefined =>
  s === undefined ? undefined : Number(s.replace(/[,.](?=\d{3}\b)/g, ''));

export function parseRsyncStats(out: string): RsyncStats {
  const grab = (re: RegExp): string | undefined => re.exec(out)?.[1];
  return {
    files: num(grab(/^Number of files: ([\d,.]*\d)/m)),
    regularFiles: num(grab(/^Number of files: [\d,.]+ \(reg: ([\d,.]*\d)/m)),
    created: num(grab(/^Number of created files: ([\d,.]*\d)/m)),
    deleted: num(grab(/^Number of deleted files: ([\d,.]*\d)/m)),
    transferred: num(grab(/^Number of regular files transferred: ([\d,.]*\d)/m)),
    totalSize: num(grab(/^Total file size: ([\d,.]*\d) bytes/m)),
    transferredSize: num(grab(/^Total transferred file size: ([\d,.]*\d) bytes/m)),
    bytesSent: num(grab(/^Total bytes sent: ([\d,.]*\d)/m)),
    bytesReceived: num(grab(/^Total bytes received: ([\d,.]*\d)/m)),
  };
}

/** What rsync's exit code means for a sync run (rsync(1), EXIT VALUES). */
export function rsyncExitMeaning(code: number): { ok: boolean; text: string } {
  const table: Record<number, string> = {
    0: 'success',
    1: 'syntax or usage error',
    2: 'protocol incompatibility',
    3: 'errors selecting input/output files or directories',
    5: 'error starting client-server protocol',
    10: 'error in socket I/O',
    11: 'error in file I/O',
    12: 'error in the rsync protocol data stream',
    20: 'received SIGUSR1 or SIGINT',
    23: 'partial transfer due to error',
    24: 'some source files vanished during the transfer',
    25: 'the --max-delete limit stopped deletions',
    30: 'timeout in data send/receive',
    35: 'timeout waiting for daemon connection',
    124: 'timed out',
    130: 'stopped (the run was cancelled)',
    127: 'rsync could not be started',
    255: 'ssh failed (connection, authentication or host key)',
  };
  // 24 (files vanished while being read) is normal on a live tree: the next run picks them up.
  return { ok: code === 0 || code === 24, text: table[code] ?? `exit code ${code}` };
}
