// The takeover's persisted steps with fake adapters (the real ones are in test/netns): every step
// is recorded before the next, a restart resumes after the last one recorded, a failed fence is
// noted and does not stop the takeover (issue 10 adds the option to require it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { FailoverConfig } from '../../src/config/schema.js';
import { FailoverStore } from '../../src/failover/state.js';
import { isSyncRun, runTakeover, type TakeoverDeps } from '../../src/failover/takeover.js';
import { syncLockPath } from '../../src/paths.js';

function deps(o: { extra?: string; arping?: 'free' | 'taken' | 'unknown'; fenceExit?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'to-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8').replace(
    'require_fence = false',
    o.extra ?? '',
  );
  const cfg = parseConfigText(
    'standby.toml',
    `${text}\n[paths]\nstate_dir = "${dir}"\nrun_dir = "${dir}/run"\n`,
  ) as TakeoverDeps['cfg'];
  const did: string[] = [];
  const d: TakeoverDeps = {
    cfg: cfg as typeof cfg & { failover: FailoverConfig },
    sysfs: join(dir, 'sys'),
    net: {
      carrier: async () => true,
      addAddress: async (i: string, c: string) => void did.push(`address ${c} on ${i}`),
      gratuitousArp: async () => void did.push('arp'),
      hasAddress: async () => false,
      duplicate: async () => {
        did.push('arping -D');
        return o.arping ?? 'free';
      },
    } as never,
    fence: {
      run: async (argv: string[]) => {
        did.push(`fence ${argv.join(' ')}`);
        return { exitCode: o.fenceExit ?? 0, stderr: o.fenceExit ? 'Unable to establish IPMI v2 / RMCP+ session' : '' };
      },
    } as never,
    ssh: {
      runForced: async () => ({ exitCode: 255, stderr: 'ssh: connect to host 10.168.1.1 port 22: No route to host' }),
    } as never,
    systemd: { units: async (a: string, u: string[]) => void did.push(`${a} ${u.join(' ')}`) } as never,
    mail: { enqueue: (m: { subject: string }) => void did.push(`mail ${m.subject}`) } as never,
    store: new FailoverStore(dir),
    now: () => Date.parse('2026-11-22T10:00:00Z'),
  };
  return { d, did };
}

describe('runTakeover', () => {
  it('runs the steps in order, persisting each, and ends active; an unreachable A is noted as down', async () => {
    const { d, did } = deps();
    const s = {
      ...d.store.load(),
      phase: 'takeover' as const,
      takeover: { startedAt: '2026-11-22T10:00:00Z', why: 'A down', done: [], notes: [] },
    };
    await runTakeover(d, s);
    expect(d.store.load()).toMatchObject({
      phase: 'active',
      takeover: { done: ['stop-sync', 'fence', 'address', 'services', 'mail'] },
    });
    expect(s.takeover.notes.join('\n')).toMatch(/did not answer on the segment.*taken as down/);
    expect(did[0]).toMatch(/^stop /);
    expect(did).toContain('address 192.168.1.1/24 on eth0');
  });

  it('a restart resumes after the last step recorded and never repeats one', async () => {
    const { d, did } = deps();
    const s = {
      ...d.store.load(),
      phase: 'takeover' as const,
      takeover: { startedAt: 't', why: 'A down', done: ['stop-sync', 'fence', 'address'] as never[], notes: [] },
    };
    await runTakeover(d, s);
    expect(did.some((x) => x.startsWith('address'))).toBe(false);
    expect(did.some((x) => x.startsWith('mail'))).toBe(true);
  });
});

const takingOver = (d: TakeoverDeps) => ({
  ...d.store.load(),
  phase: 'takeover' as const,
  takeover: { startedAt: 't', why: 'A down', done: [], notes: [] },
});

describe('split brain (issue 10, section 3)', () => {
  it('require_fence: a fence that did not succeed refuses the takeover, restarts the sync timer and mails', async () => {
    const { d, did } = deps({ extra: 'require_fence = true' });
    await runTakeover(d, takingOver(d));
    const s = d.store.load();
    expect(s.phase).toBe('monitoring');
    expect(s.takeover).toBeUndefined();
    expect(s.transitions[0]!.why).toMatch(
      /takeover refused: fence: A did not answer on the segment.*require_fence is set/,
    );
    expect(did.some((x) => x.startsWith('address'))).toBe(false);
    expect(did).toContain('start baysync-sync.timer');
    expect(did).toContain('mail [baysync] failover: TAKEOVER REFUSED (split-brain guard)');
  });

  it('require_fence with a fence command that succeeds (a BMC power-off) takes over', async () => {
    const { d, did } = deps({
      extra: 'require_fence = true\nfence_command = ["/usr/bin/ipmitool", "-H", "a-bmc", "chassis", "power", "off"]',
    });
    await runTakeover(d, takingOver(d));
    expect(d.store.load().phase).toBe('active');
    expect(did).toContain('fence /usr/bin/ipmitool -H a-bmc chassis power off');
    expect(did).toContain('address 192.168.1.1/24 on eth0');
  });

  it('a failing fence command under require_fence is refused with its reason', async () => {
    const { d } = deps({
      extra: 'require_fence = true\nfence_command = ["/usr/bin/ipmitool", "power", "off"]',
      fenceExit: 1,
    });
    await runTakeover(d, takingOver(d));
    expect(d.store.load().transitions[0]!.why).toMatch(/ipmitool failed \(Unable to establish IPMI/);
  });

  it('the service address answering on the LAN (arping -D) refuses the takeover before the address is added', async () => {
    const { d, did } = deps({ arping: 'taken' });
    await runTakeover(d, takingOver(d));
    expect(d.store.load().phase).toBe('monitoring');
    expect(d.store.load().transitions[0]!.why).toMatch(/192\.168\.1\.1 answers on the LAN \(arping -D got a reply\)/);
    expect(did.some((x) => x.startsWith('address'))).toBe(false);
  });

  it('a duplicate-address check that cannot run is noted, and the takeover goes on', async () => {
    const { d } = deps({ arping: 'unknown' });
    const s = takingOver(d);
    await runTakeover(d, s);
    expect(d.store.load().phase).toBe('active');
    expect(s.takeover.notes.join('\n')).toMatch(/arping -D\) could not run/);
  });
});

describe('stop-sync signals only a real sync run (issue 10, section 5)', () => {
  it('recognises `baysync sync run` by its argv, options included', () => {
    expect(isSyncRun(['node', '/usr/bin/baysync', 'sync', 'run'])).toBe(true);
    expect(isSyncRun(['/usr/bin/node', '/x/build/src/cli/main.js', '-c', '/etc/b.toml', 'sync', 'run', '--json'])).toBe(
      true,
    );
    expect(isSyncRun(['sleep', '30'])).toBe(false);
    expect(isSyncRun(['node', '/usr/bin/baysync', 'status'])).toBe(false);
  });

  it('a sync lock naming another process (a reused pid) is noted, and that process is not signalled', async () => {
    const { d } = deps();
    const other = spawn('sleep', ['30']);
    try {
      mkdirSync(d.cfg.paths.run_dir, { recursive: true });
      writeFileSync(syncLockPath(d.cfg.paths), `${other.pid}\n`);
      const s = {
        ...d.store.load(),
        phase: 'takeover' as const,
        takeover: { startedAt: 't', why: 'A down', done: [], notes: [] },
      };
      await runTakeover(d, s);
      expect(s.takeover.notes.join('\n')).toMatch(
        new RegExp(`pid ${other.pid} \\(sleep 30\\), which is not a baysync sync run; not signalled`),
      );
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
    } finally {
      other.kill();
    }
  });
});
