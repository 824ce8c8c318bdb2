// The snapshot copy's links (issue 13), both ends. Over ssh the sender starts ssh with the copy
// key (its forced command on the secondary is `baysync copy receive`) and runs the session over
// ssh's stdin and stdout; over raw TCP it connects to baysync-copy-receive.socket and signs the
// session with the shared key. The receiver serves one session on its stdin and stdout (ssh's
// channel, or the accepted socket) and writes only the target of its own config; over TCP it
// first refuses a peer not in tcp_allow and a request not signed with the key. Contract: argv only, `--` before the host; a link
// that fails before the receiver answered is reported with ssh's exit code and its last stderr
// line; the receiver's digest is saved after every batch (digest-file.ts).
import { connect } from 'node:net';
import type { Writable } from 'node:stream';
import type { CopyConfig, CopyReceiveConfig } from '../config/copy.js';
import type { PipeRunner } from '../system/runner.js';
import { loadDigestFile, saveDigestFile } from './digest-file.js';
import { encodeMessage } from './hello.js';
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

/** Writes to a stream, waiting for it to drain; rejects when it closes or fails meanwhile. */
export function writerFor(s: Writable): Write {
  return async (bufs) => {
    let ok = true;
    for (const b of bufs) ok = s.write(b);
    if (ok) return;
    await new Promise<void>((resolve, reject) => {
      const gone = (): void => reject(new Error('the link closed'));
      s.once('drain', () => {
        s.off('close', gone);
        s.off('error', gone);
        resolve();
      });
      s.once('close', gone);
      s.once('error', gone);
    });
  };
}

/** The raw TCP transport: the session over one connection, every frame signed with `key`. */
export async function sendOverTcp(c: CopyConfig['receiver'], key: Buffer, side: SenderSide): Promise<SessionOutcome> {
  const sock = connect({ host: c.host, port: c.tcp_port, noDelay: true });
  const where = `${c.host}:${c.tcp_port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => sock.destroy(new Error('no answer')), c.connect_timeout_seconds * 1000);
      sock.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    const out = await runSend(sock, writerFor(sock), { ...side, key });
    sock.end();
    return out;
  } catch (e) {
    throw new LinkError(`the link to ${where} failed (${(e as Error).message})`);
  } finally {
    sock.destroy();
  }
}

export interface ReceiveEnv {
  cfg: CopyReceiveConfig | undefined;
  digestPath: string;
  openTarget: ReceiverSide['openTarget'];
  dropCache: (target: string) => Promise<void>;
  log: (line: string) => void;
  /** The no-modify filesystem check of the target after a verified copy (copy_receive.fsck). */
  checkTarget?: ReceiverSide['checkTarget'];
  /** Over TCP: the shared key, and the peer's address (systemd's REMOTE_ADDR). */
  tcp?: { key: Buffer; remote: string | undefined };
}

/** Serves one session; a host without [copy_receive], or a TCP peer not allowed, is refused. */
export async function receiveSession(
  input: AsyncIterable<Buffer>,
  write: Write,
  env: ReceiveEnv,
): Promise<ServeOutcome> {
  const c = env.cfg;
  if (env.tcp && !c?.tcp_allow.includes(env.tcp.remote ?? '')) {
    const refused = `${env.tcp.remote ?? 'an unknown peer'} is not in copy_receive.tcp_allow`;
    await write([encodeMessage({ kind: 'refused', reason: refused })]).catch(() => undefined);
    return { refused };
  }
  const side: ReceiverSide = {
    openTarget: () => {
      if (!c) throw new Error('this host has no [copy_receive] section in its config; it receives no copy');
      return env.openTarget();
    },
    ...(env.tcp ? { key: env.tcp.key } : {}),
    ...(c?.fsck && env.checkTarget ? { checkTarget: env.checkTarget } : {}),
    loadDigest: (g) => {
      const { digest, problem } = loadDigestFile(env.digestPath, g, c?.target ?? '');
      if (problem) env.log(`the digest is not used (${problem}); every chunk is compared again`);
      return digest;
    },
    persist: (d) => saveDigestFile(env.digestPath, d),
    ...(c ? { dropCache: () => env.dropCache(c.target) } : {}),
    batchBytes: (c?.batch_mib ?? 64) * 1048576,
  };
  return serveReceive(input, write, side);
}
