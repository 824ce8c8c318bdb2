// Shared helpers of the lab: where the cache lives, a timestamped log line, a sleep.
// Contract: labCacheDir() is outside the repository (override with BAYSYNC_LAB_CACHE).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function labCacheDir(): string {
  return process.env.BAYSYNC_LAB_CACHE ?? join(homedir(), '.cache', 'baysync-lab');
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[lab ${t}] ${msg}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** apt-get in the guest without debconf's attempts at a terminal. */
export const aptGet = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
