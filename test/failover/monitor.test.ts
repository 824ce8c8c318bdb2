// The monitor's start with fake adapters (probe rounds and the takeover on real namespaces are in
// test/netns): an address already on this host counts as a takeover made, never handed back.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { FailoverMonitor } from '../../src/failover/monitor.js';
import { FailoverStore } from '../../src/failover/state.js';
import type { TakeoverDeps } from '../../src/failover/takeover.js';

function monitor(addressHere: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'mon-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8').replace(
    'enabled = true',
    'enabled = false',
  );
  const cfg = parseConfigText(
    'standby.toml',
    `${text}\n[paths]\nstate_dir = "${dir}"\nrun_dir = "${dir}/run"\n`,
  ) as TakeoverDeps['cfg'];
  const store = new FailoverStore(dir);
  const d = {
    cfg,
    sysfs: dir,
    net: { hasAddress: async () => addressHere },
    ssh: {},
    systemd: {},
    mail: {},
    store,
    now: Date.now,
  } as unknown as TakeoverDeps;
  return { m: new FailoverMonitor(d), store };
}

describe('FailoverMonitor.start', () => {
  it('the service address found on this host at start is a takeover already made', async () => {
    const { m, store } = monitor(true);
    await m.start();
    await m.stop();
    expect(store.load().phase).toBe('active');
    expect(m.status()).toMatchObject({ phase: 'active', serviceAddress: '192.168.1.1/24' });
  });

  it('otherwise it monitors', async () => {
    const { m, store } = monitor(false);
    await m.start();
    await m.stop();
    expect(store.load().phase).toBe('monitoring');
  });
});
