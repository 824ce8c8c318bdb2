// ssh to the other server over the dedicated segment, always with a key whose forced command
// (authorized_keys `command="..."`) on the far side is the only thing the key can do: rrsync
// for the data, `ip link set dev X down` for fencing. Contract: baysync never sends a remote
// command line; host keys are checked against a dedicated known_hosts file (no TOFU); batch
// mode, so a missing key fails at once instead of prompting.
import type { CommandRunner, RunResult } from './runner.js';

export interface SshTarget {
  host: string;
  user: string;
  key: string;
  knownHosts: string;
  port?: number;
  connectTimeoutSeconds: number;
}

/** The ssh argv up to (not including) the destination; also rsync's -e value, joined by blanks
 *  (the config schema forbids blanks in these paths, so rsync's own splitting is exact). */
export function sshOptions(t: Omit<SshTarget, 'host' | 'user'>): string[] {
  return [
    'ssh',
    '-T',
    '-i',
    t.key,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${t.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `ConnectTimeout=${t.connectTimeoutSeconds}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    ...(t.port ? ['-p', String(t.port)] : []),
  ];
}

export class SshAdapter {
  constructor(private readonly runner: CommandRunner) {}

  /** Connect with a forced-command key and let that command run. */
  runForced(t: SshTarget, timeoutMs: number): Promise<RunResult> {
    return this.runner.run([...sshOptions(t), `${t.user}@${t.host}`], { timeoutMs, allowFailure: true });
  }
}
