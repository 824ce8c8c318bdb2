// Every filesystem path baysync uses, in one place: the default config, the runtime directory
// (control socket, daemon pid, locks, verification mounts) and the state directory (one JSON
// record per workflow, the mail spool). Contract: pure; the directories come from the config's
// [paths] (so tests and the lab can move them), the file names are fixed here and nowhere else.
import { join } from 'node:path';

export const defaultConfigPath = '/etc/baysync/baysync.toml';
export const defaultRunDir = '/run/baysync';
export const defaultStateDir = '/var/lib/baysync';

export interface PathDirs {
  run_dir: string;
  state_dir: string;
}

/** The control socket of the daemon. */
export const socketPath = (d: Pick<PathDirs, 'run_dir'>): string => join(d.run_dir, 'control.sock');
export const defaultSocketPath = socketPath({ run_dir: defaultRunDir });
/** The daemon's pid lock (one daemon per host). */
export const daemonPidPath = (d: Pick<PathDirs, 'run_dir'>): string => join(d.run_dir, 'daemon.pid');
/** The standby sync's run lock (timer, hand and push never overlap). */
export const syncLockPath = (d: Pick<PathDirs, 'run_dir'>): string => join(d.run_dir, 'sync.lock');
/** A workflow's persisted record: state.json (rotation), realtime.json, failover.json, … */
export const recordPath = (d: Pick<PathDirs, 'state_dir'>, job: 'state' | 'realtime' | 'failover' | 'copy'): string =>
  join(d.state_dir, `${job}.json`);
/** The mail spool directory. */
export const spoolDir = (d: Pick<PathDirs, 'state_dir'>): string => join(d.state_dir, 'mail');
/** The snapshot copy's digest of its target, on the receiver: one SHA-256 per chunk. */
export const copyDigestPath = (d: Pick<PathDirs, 'state_dir'>): string => join(d.state_dir, 'copy-digest.bin');
