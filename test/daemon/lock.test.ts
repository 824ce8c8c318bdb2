// The daemon's single-instance guard: a fresh start writes the pid file; a daemon answering on
// the socket, or a live process in the pid file, is named and refused; a stale pid file (its
// process gone) is taken over.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveControl } from '../../src/daemon/control.js';
import { takeDaemonLock } from '../../src/daemon/lock.js';
import { daemonPidPath, socketPath } from '../../src/paths.js';

let dir: string;
let paths: { run_dir: string; state_dir: string };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baysync-lock-'));
  paths = { run_dir: join(dir, 'run'), state_dir: join(dir, 'state') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cfgPaths = () => paths as Parameters<typeof takeDaemonLock>[0];

describe('daemon lock', () => {
  it('a fresh start writes its pid', async () => {
    await takeDaemonLock(cfgPaths(), socketPath(paths));
    expect(readFileSync(daemonPidPath(paths), 'utf8')).toBe(String(process.pid));
  });

  it('refuses while another daemon answers on the control socket', async () => {
    await takeDaemonLock(cfgPaths(), socketPath(paths));
    const server = serveControl(socketPath(paths), async () => ({ ok: true }));
    try {
      await new Promise((r) => setTimeout(r, 50));
      await expect(takeDaemonLock(cfgPaths(), socketPath(paths))).rejects.toThrow(/answers on .*only one may run/);
    } finally {
      await server.close();
    }
  });

  it('refuses a live process in the pid file, and takes over a stale one', async () => {
    await takeDaemonLock(cfgPaths(), socketPath(paths));
    writeFileSync(daemonPidPath(paths), '1');
    await expect(takeDaemonLock(cfgPaths(), socketPath(paths))).rejects.toThrow(/\(pid 1\) holds/);
    writeFileSync(daemonPidPath(paths), '999999999');
    await takeDaemonLock(cfgPaths(), socketPath(paths));
    expect(readFileSync(daemonPidPath(paths), 'utf8')).toBe(String(process.pid));
  });
});
