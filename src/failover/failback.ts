// `baysync failover failback`: the seed's careful hand-back, guided. Contract: it prints each
// step as it goes and refuses, changing nothing more, when a precondition is not met:
//   1. A is mended: it answers on the segment, and its LAN interface is down (fenced again
//      with the fence key, or confirmed by the operator);
//   2. the daemon enters the failback phase; the services on B are stopped;
//   3. B's copy is sent back to A over the segment (rsync with the failback key; files on A
//      that B changes are kept in a .baysync-failback-<time> directory; nothing on A is
//      deleted unless --delete);
//   4. the address leaves B, and the operator brings A's LAN interface up (waited for);
//   5. monitoring and the sync from A resume.
// A failure in 3 or 4 restores the services (and the address) on B and ends the failback.
import type { Config, FailoverConfig, RealtimeConfig } from '../config/schema.js';
import { NetAdapter } from '../system/net.js';
import { parseRsyncStats, rsyncExitMeaning } from '../system/parsers/rsync-stats.js';
import type { CommandRunner } from '../system/runner.js';
import { SshAdapter, sshOptions } from '../system/ssh.js';
import { SystemdAdapter } from '../system/systemd.js';
import type { FailoverStatus } from './monitor.js';
import { segmentTarget, serviceAddress } from './takeover.js';

export interface FailbackOptions {
  cfg: Config;
  runner: CommandRunner;
  /** Talks to the daemon (control socket). */
  daemon: (action: 'status' | 'begin-failback' | 'resume' | 'cancel-failback') => Promise<FailoverStatus>;
  print: (line: string) => void;
  delete?: boolean;
  aLanIsDown?: boolean;
  waitSeconds: number;
  sleep?: (ms: number) => Promise<void>;
}

export class FailbackRefused extends Error {}

export async function failback(o: FailbackOptions): Promise<void> {
  const f = o.cfg.failover;
  const rt = o.cfg.realtime;
  if (!f) throw new FailbackRefused('no [failover] section in the configuration');
  if (!rt) throw new FailbackRefused('no [realtime] section: the failback needs its source and destination paths');
  if (!f.failback_ssh_key)
    throw new FailbackRefused(
      'failover.failback_ssh_key is not set: configure a key whose forced command on A is a writable rrsync of the data tree',
    );
  const net = new NetAdapter(o.runner);
  const ssh = new SshAdapter(o.runner);
  const systemd = new SystemdAdapter(o.runner);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const addr = serviceAddress(f);
  const step = (n: number, text: string): void => o.print(`[${n}/5] ${text}`);

  const st = await o.daemon('status');
  if (st.phase === 'monitoring' || st.phase === 'takeover')
    throw new FailbackRefused(`nothing to fail back: failover phase is ${st.phase}`);

  step(1, `check that the main server is mended (segment ${f.segment.peer})`);
  let seen = false;
  for (let i = 0; i < 3 && !seen; i++) seen = (await net.ping(f.segment.interface, f.segment.peer, f.timeout_ms)).ok;
  if (!seen)
    throw new FailbackRefused(
      `the main server does not answer on the segment (${f.segment.peer}); mend it and its segment link first`,
    );
  o.print(`      answers on the segment`);
  if (f.fence_ssh_key) {
    const r = await ssh.runForced(segmentTarget(f, f.fence_ssh_key, 3), 15_000);
    if (r.exitCode !== 0)
      throw new FailbackRefused(
        `could not make sure A's LAN interface is down (fence key: ${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`})`,
      );
    o.print(`      its LAN interface is down (fence command ran)`);
  } else if (!o.aLanIsDown) {
    throw new FailbackRefused("no fence key: bring A's LAN interface down by hand, then re-run with --a-lan-is-down");
  }

  step(2, `suspend the services here${f.services.length ? `: ${f.services.join(', ')}` : ' (none configured)'}`);
  await o.daemon('begin-failback');
  const stopErr = await systemd.units('stop', f.services);
  if (stopErr) o.print(`      note: ${stopErr}`);

  const restoreHere = async (why: string): Promise<never> => {
    await net.addAddress(f.lan.interface, addr);
    await systemd.units('start', f.services);
    await o.daemon('cancel-failback');
    throw new FailbackRefused(
      `${why}. The address and the services are back on this host; fix it and run the failback again.`,
    );
  };

  step(
    3,
    `send this host's copy ${rt.destination} back to ${f.segment.peer}:${rt.source}${o.delete ? ' (with --delete)' : ''}`,
  );
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const argv = failbackArgv(rt, f, stamp, !!o.delete);
  const r = await o.runner.run(argv, { allowFailure: true, timeoutMs: 24 * 3600_000 });
  const m = rsyncExitMeaning(r.exitCode);
  if (!m.ok)
    await restoreHere(
      `the copy back to A failed: rsync: ${m.text}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`,
    );
  const s = parseRsyncStats(r.stdout);
  o.print(
    `      ${s.transferred ?? 0} files sent (${s.bytesSent ?? 0} bytes); files of A that were replaced are kept in .baysync-failback-${stamp}/`,
  );

  step(4, `move ${addr} back: removing it from ${f.lan.interface}`);
  await net.removeAddress(f.lan.interface, addr);
  o.print(
    `      now bring A's LAN interface up (on A: ip link set dev <its LAN interface> up); waiting up to ${o.waitSeconds} s for ${f.lan.peer} to answer`,
  );
  const deadline = Date.now() + o.waitSeconds * 1000;
  let back = false;
  while (!back && Date.now() < deadline) {
    back = (await net.ping(f.lan.interface, f.lan.peer, f.timeout_ms)).ok;
    if (!back) await sleep(500);
  }
  if (!back) await restoreHere(`the main server did not answer on the LAN within ${o.waitSeconds} s`);
  o.print(`      ${f.lan.peer} answers on the LAN`);

  step(5, 'resume monitoring and the sync from the main server');
  await o.daemon('resume');
  const timers = f.stop_units.filter((u) => u.endsWith('.timer'));
  const startErr = await systemd.units('start', timers);
  if (startErr) o.print(`      note: ${startErr}`);
  o.print('failback complete: the main server serves again; this host is the standby.');
}

export function failbackArgv(rt: RealtimeConfig, f: FailoverConfig, stamp: string, del: boolean): string[] {
  return [
    'rsync',
    '-a',
    '-H',
    '--numeric-ids',
    '--stats',
    '--backup',
    `--backup-dir=.baysync-failback-${stamp}`,
    ...(del ? ['--delete'] : []),
    ...rt.excludes.map((e) => `--exclude=${e}`),
    '-e',
    sshOptions({ key: f.failback_ssh_key!, knownHosts: f.known_hosts, connectTimeoutSeconds: 10 }).join(' '),
    '--',
    `${rt.destination.replace(/\/*$/, '/')}`,
    `${f.ssh_user}@${f.segment.peer}:${rt.source.replace(/\/*$/, '/')}`,
  ];
}
