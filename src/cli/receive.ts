// `baysync receive DIR`: the forced command of the push key on the standby (B), in place of a
// bare rrsync. Contract: while this host has taken over from the main server (failover.json's
// phase is not "monitoring"), every push is refused with a line on stderr and exit 1, so A,
// back on the network, cannot write into the tree B now serves; otherwise it runs rrsync on DIR
// with the ssh client's command (SSH_ORIGINAL_COMMAND) and exits with rrsync's code. A record
// that cannot be read refuses too (fail closed). It reads only the failover record (world-
// readable), never the config, so the push user needs no other access.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { recordPath } from '../paths.js';

/** Why pushes must be refused now, or undefined. */
export function pushRefusal(stateDir: string): string | undefined {
  const file = recordPath({ state_dir: stateDir }, 'failover');
  let phase: unknown;
  try {
    phase = (JSON.parse(readFileSync(file, 'utf8')) as { phase?: unknown }).phase;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot read ${file} (${e instanceof Error ? e.message : String(e)}); pushes are refused until it can be read`;
  }
  if (phase === 'monitoring') return undefined;
  return `this standby has taken over from the main server (failover phase ${String(phase)}); pushes are refused until \`baysync failover failback\` hands the service back`;
}

export function receive(dir: string, o: { stateDir: string; rrsync: string }): Promise<number> {
  const why = pushRefusal(o.stateDir);
  if (why) {
    process.stderr.write(`baysync receive: ${why}\n`);
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    const child = spawn(o.rrsync, [dir], { stdio: 'inherit' });
    child.on('error', (e) => {
      process.stderr.write(`baysync receive: cannot run ${o.rrsync}: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}
