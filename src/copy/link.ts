// The snapshot copy over ssh (issue 13), both ends of the link. The sender starts ssh with the
// copy key (its forced command on the secondary is `baysync copy receive`) and runs the session
// over ssh's stdin and stdout; the receiver serves one session on its own stdin and stdout and
// writes only the target of its own config. Contract: argv only, `--` before the host; a link
// that fails before the receiver answered is reported with ssh's exit code and its last stderr
// line; the receiver's digest is saved after every batch (digest-file.ts).
import type { CopyConfig, CopyReceiveConfig } from '../config/copy.js';
import type { PipeRunner } from '../system/runner.js';
import { loadDigestFile, saveDigestFile } from './digest-file.js';
import {
  type ReceiverSide,
  runSend,
  type SenderSide,
  type ServeOutcome,
  type SessionOutcome,
  serveReceive,
  type Write,
} from './session.js';

/** ssh to the receiver with the copy key; the command word is only a label (the key forces it). */
export function sshArgv(c: CopyConfig['receiver']): string[] {
  return [
    'ssh',
    '-T',
    '-i',
    c.ssh_key,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${c.known_hosts}`,
    '-o',
    `ConnectTimeout=${c.connect_timeout_seconds}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=4',
    '-p',
    String(c.port),
    '-l',
    c.user,
    '--',
    c.host,
    'baysync-copy-receive',
  ];
}

export class LinkError extends Error {}

export async function sendOverSsh(
  runner: PipeRunner,
  c: CopyConfig['receiver'],
  side: SenderSide,
): Promise<SessionOutcome> {
  const ssh = runner.pipe(sshArgv(c));
  try {
    const out = await runSend(ssh.stdout, ssh.write, side);
    ssh.end();
    await ssh.exited;
    return out;
  } catch (e) {
    ssh.kill();
    const { exitCode, stderr } = await ssh.exited;
    const last = stderr.trim().split('\n').at(-1) ?? '';
    throw new LinkError(
      `the link to ${c.user}@${c.host}:${c.port} failed (${(e as Error).message}; ssh exit ${exitCode}${last ? `: ${last}` : ''})`,
    );
  }
}

export interface ReceiveEnv {
  cfg: CopyReceiveConfig | undefined;
  digestPath: string;
  openTarget: ReceiverSide['openTarget'];
  dropCache: (target: string) => Promise<void>;
  log: (line: string) => void;
}

/** Serves one session; a host without [copy_receive] refuses it. */
export function receiveSession(input: AsyncIterable<Buffer>, write: Write, env: ReceiveEnv): Promise<ServeOutcome> {
  const c = env.cfg;
  const side: ReceiverSide = {
    openTarget: () => {
      if (!c) throw new Error('this host has no [copy_receive] section in its config; it receives no copy');
      return env.openTarget();
    },
    loadDigest: (g) => {
      const { digest, problem } = loadDigestFile(env.digestPath, g);
      if (problem) env.log(`the digest is not used (${problem}); every chunk is compared again`);
      return digest;
    },
    persist: (d) => saveDigestFile(env.digestPath, d),
    ...(c ? { dropCache: () => env.dropCache(c.target) } : {}),
    batchBytes: (c?.batch_mib ?? 64) * 1048576,
  };
  return serveReceive(input, write, side);
}
