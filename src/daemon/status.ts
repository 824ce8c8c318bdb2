// The status model of `baysync status --json`, shared by the daemon, the CLI renderer and the
// monitoring check: the daemon's own fields and each job's part. Contract: plain data; a host
// without a rotation still has its rotation fields, empty.
import type { Config } from '../config/schema.js';
import type { ProgressSnap } from '../copy/progress.js';
import type { CopyStatus } from '../copy/status.js';
import type { FailoverStatus } from '../failover/monitor.js';
import type { RealtimeStatus } from '../realtime/status.js';
import { type RotationStatus, rotationStatus } from '../rotation/status.js';
import { emptyState } from '../rotation/types.js';

export type { SetStatus } from '../rotation/status.js';
export type { RealtimeStatus };

export interface DaemonStatus {
  version: string;
  pid: number;
  startedAt: string;
  statusLine: string;
  mailPending: number;
  /** The mail transport's last error for a mail still in the spool (null when none failed). */
  mailLastError: string | null;
}

export type StatusData = DaemonStatus &
  RotationStatus & {
    realtime?: RealtimeStatus;
    failover?: FailoverStatus;
    copy?: CopyStatus & { runningPid?: number; progress?: ProgressSnap };
  };

/** The daemon's fields, the empty rotation fields, then every job's part over them. */
export function composeStatus(
  cfg: Config,
  base: DaemonStatus,
  now: number,
  parts: Array<Record<string, unknown>>,
): StatusData {
  return Object.assign({ ...base, ...rotationStatus({ ...cfg, sets: [] }, emptyState(), now) }, ...parts) as StatusData;
}
