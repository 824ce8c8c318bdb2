// The daemon's single-instance guard: no other daemon answers on the control socket or holds
// the pid file. Contract: throws, naming the other daemon, when one runs; otherwise writes the
// pid file.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { daemonPidPath } from '../paths.js';
import { processAlive, readHolder } from '../util/lockfile.js';
import { request as controlRequest } from './control.js';

export async function takeDaemonLock(paths: Config['paths'], socketPath: string): Promise<void> {
  const lockPath = daemonPidPath(paths);
  mkdirSync(paths.run_dir, { recursive: true });
  const answering = await controlRequest(socketPath, { cmd: 'ping' }, 2000).then(
    () => true,
    () => false,
  );
  if (answering) throw new Error(`another baysync daemon answers on ${socketPath}; only one may run`);
  const pid = readHolder(lockPath);
  if (pid && pid !== process.pid && processAlive(pid))
    throw new Error(`another baysync daemon (pid ${pid}) holds ${lockPath}`);
  const fd = openSync(lockPath, 'w', 0o644);
  writeSync(fd, String(process.pid));
  closeSync(fd);
}
