// The sync planner: exact rsync argv for pull and push, the deletion share, --files-from.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { allowedDeletions, cleanRelative, planSync, remoteSpec } from '../../src/realtime/plan.js';

const cfgOf = (realtime: Record<string, unknown>) =>
  parseConfig('t.toml', {
    realtime: { source: '/home', destination: '/srv/copy', remote: { host: '10.168.1.1' }, ...realtime },
  }).realtime!;

describe('sync planner', () => {
  it("pull over ssh: B fetches A's tree with the restricted key, deletions capped", () => {
    const p = planSync(cfgOf({ mode: 'pull', bwlimit_kbps: 5000, excludes: ['*.tmp'] }), { kind: 'full' }, 10_000);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.plan.argv).toEqual([
      'rsync',
      '-a',
      '-H',
      '--numeric-ids',
      '--stats',
      '--timeout=120',
      '--partial-dir=.baysync-partial',
      '--bwlimit=5000',
      '--exclude=*.tmp',
      '--max-delete=1000',
      '-e',
      'ssh -T -i /etc/baysync/sync_ed25519 -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=/etc/baysync/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3',
      '--delete',
      '--delete-delay',
      '--',
      'baysync@10.168.1.1:/home/',
      '/srv/copy/',
    ]);
    expect(p.plan.maxDelete).toBe(1000);
  });

  it("pull from the seed's rsync daemon uses the module and the password file", () => {
    const c = cfgOf({
      mode: 'pull',
      source: '/',
      remote: {
        transport: 'rsyncd',
        host: '10.168.1.1',
        user: 'realtime',
        module: 'home',
        password_file: '/etc/baysync/rsyncd.secret',
      },
    });
    expect(remoteSpec(c, '/')).toBe('rsync://realtime@10.168.1.1/home/');
    const p = planSync(c, { kind: 'full' }, 0);
    expect(p.ok && p.plan.argv.slice(-5)).toEqual([
      '--delete',
      '--delete-delay',
      '--',
      'rsync://realtime@10.168.1.1/home/',
      '/srv/copy/',
    ]);
    expect(p.ok && p.plan.argv).toContain('--password-file=/etc/baysync/rsyncd.secret');
  });

  it('push of changed paths: NUL-separated --files-from, removed paths deleted on B', () => {
    const p = planSync(
      cfgOf({ mode: 'push' }),
      {
        kind: 'paths',
        changed: ['a/new.txt', 'odd\nname', '../escape', 'a/gone'],
        trees: ['moved-in'],
        removed: ['a/gone'],
      },
      50,
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.plan.argv.slice(-8)).toEqual([
      '--files-from=-',
      '--from0',
      '-r',
      '--delete-missing-args',
      '--force',
      '--',
      '/home/',
      'baysync@10.168.1.1:/srv/copy/',
    ]);
    expect(p.plan.input).toBe('moved-in\0a/new.txt\0odd\nname\0a/gone\0');
  });

  it('refuses a push whose removals exceed the deletion share, before running anything', () => {
    const c = cfgOf({ mode: 'push', max_delete_min_files: 0, max_delete_percent: 10 });
    const p = planSync(c, { kind: 'paths', changed: [], removed: ['a', 'b', 'c'] }, 20);
    expect(p).toMatchObject({ ok: false });
    expect(!p.ok && p.reason).toMatch(/3 paths were removed on the source, more than allowed \(2/);
  });

  it('--allow-deletions lifts the cap', () => {
    const p = planSync(cfgOf({ mode: 'pull' }), { kind: 'full' }, 10, { allowDeletions: true });
    expect(p.ok && p.plan.argv.some((a) => a.startsWith('--max-delete'))).toBe(false);
  });

  it('the share has a floor so that small trees can rename', () => {
    expect(allowedDeletions(cfgOf({ mode: 'pull' }), 10)).toBe(100);
    expect(allowedDeletions(cfgOf({ mode: 'pull' }), 100_000)).toBe(10_000);
  });

  it('cleanRelative rejects escapes and NULs', () => {
    expect(cleanRelative('/x/y')).toBe('x/y');
    expect(cleanRelative('x/../y')).toBeUndefined();
    expect(cleanRelative('a\0b')).toBeUndefined();
    expect(cleanRelative('')).toBeUndefined();
  });
});
