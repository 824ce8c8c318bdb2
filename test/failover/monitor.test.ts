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

type Probe = { ok: boolean; unknown?: boolean; reason?: string };

function monitor(addressHere: boolean, probes: { lan: Probe[]; segment: Probe[] } = { lan: [], segment: [] }) {
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
    net: {
      hasAddress: async () => addressHere,
      carrier: async () => true,
      ping: async (iface: string) => (iface === 'eth0' ? probes.lan : probes.segment).shift() ?? { ok: true },
    },
    ssh: {},
    systemd: {},
    mail: { enqueue: (m: { subject: string }) => void mails.push(m.subject) },
    store,
    now: Date.now,
  } as unknown as TakeoverDeps;
  const mails: string[] = [];
  return { m: new FailoverMonitor(d), store, mails };
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

describe('split brain (issue 10, section 3)', () => {
  it('a probe that cannot run is unknown, never "down": no takeover however long it lasts', async () => {
    const cannot = { ok: false, unknown: true, reason: 'ping: SO_BINDTODEVICE eth1: No such device' };
    const { m, store } = monitor(false, { lan: Array(10).fill(cannot), segment: Array(10).fill(cannot) });
    for (let i = 0; i < 10; i++) await m.round();
    expect(store.load().phase).toBe('monitoring');
    expect(m.status().lan).toMatchObject({ up: true, fails: 0 });
  });

  it('after a takeover, A answering again on the segment is said once, loudly', async () => {
    const { m, store, mails } = monitor(true, { lan: [], segment: [{ ok: true }, { ok: true }, { ok: true }] });
    await m.start();
    const s = store.load();
    s.takeover = { startedAt: 't', why: 'A down', done: [], notes: [] };
    store.save(s);
    m.state = store.load();
    await m.round();
    expect(mails).toEqual([]);
    await m.round();
    await m.round();
    expect(mails).toEqual(['[baysync] failover: the main server is back']);
    expect(store.load().takeover?.aReturnedAt).toBeTruthy();
    await m.stop();
  });
});
