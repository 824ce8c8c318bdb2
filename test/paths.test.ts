import { describe, expect, it } from 'vitest';
import { daemonPidPath, defaultSocketPath, recordPath, socketPath, spoolDir, syncLockPath } from '../src/paths.js';

describe('paths', () => {
  it('follow the configured directories; the file names are fixed', () => {
    const d = { run_dir: '/run/x', state_dir: '/var/lib/x' };
    expect([socketPath(d), daemonPidPath(d), syncLockPath(d)]).toEqual([
      '/run/x/control.sock',
      '/run/x/daemon.pid',
      '/run/x/sync.lock',
    ]);
    expect([recordPath(d, 'state'), recordPath(d, 'failover'), spoolDir(d)]).toEqual([
      '/var/lib/x/state.json',
      '/var/lib/x/failover.json',
      '/var/lib/x/mail',
    ]);
    expect(defaultSocketPath).toBe('/run/baysync/control.sock');
  });
});
