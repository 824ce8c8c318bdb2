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

function deps() {
  const dir = mkdtempSync(join(tmpdir(), 'to-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');
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
      const s = { ...d.store.load(), phase: 'takeover' as const, takeover: { startedAt: 't', why: 'A down', done: [], notes: [] } };
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
