// The takeover executor. Contract: the steps run in the issue's order — stop the sync, fence
// A over the segment, add A's service address here with gratuitous ARP, start the services,
// mail the operator — and each step is persisted as done before the next, so a daemon
// restarted mid-takeover resumes at the first step not done and never repeats a finished one
// (the mail is sent once). Every step is idempotent, and a failing step is noted and the
// takeover goes on: serving the address matters more than any one service.

import type { Config, FailoverConfig } from '../config/schema.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import { syncLockPath } from '../paths.js';
import type { NetAdapter } from '../system/net.js';
import type { SshAdapter, SshTarget } from '../system/ssh.js';
import type { SystemdAdapter } from '../system/systemd.js';
import { processArgv, readHolder } from '../util/lockfile.js';
import { addTransition, type FailoverState, type FailoverStore, type TakeoverStep, takeoverSteps } from './state.js';

export interface TakeoverDeps {
  cfg: Config & { failover: FailoverConfig };
  sysfs: string;
  net: NetAdapter;
  ssh: SshAdapter;
  systemd: SystemdAdapter;
  mail: MailSpool;
  store: FailoverStore;
  now: () => number;
}

/** A forced-command key's ssh target on A, over the segment (fence, cure, failback's fence). */
export function segmentTarget(f: FailoverConfig, key: string, connectTimeoutSeconds: number): SshTarget {
  return { host: f.segment.peer, user: f.ssh_user, key, knownHosts: f.known_hosts, connectTimeoutSeconds };
}

export function serviceAddress(f: FailoverConfig): string {
  return f.service_address ?? `${f.lan.peer}/24`;
}

export async function runTakeover(d: TakeoverDeps, s: FailoverState): Promise<void> {
  const log = logger().child({ mod: 'failover' });
  const f = d.cfg.failover;
  const t = s.takeover;
  if (!t) throw new Error('runTakeover without a takeover record');
  for (const step of takeoverSteps) {
    if (t.done.includes(step)) continue;
    const note = await doStep(d, step, s).catch(
      (e: unknown) => `${step}: failed: ${e instanceof Error ? e.message : String(e)}`,
    );
    if (note) {
      t.notes.push(note);
      log.warn({ step }, note);
    }
    t.done.push(step);
    d.store.save(s);
    log.info({ step }, `takeover step ${step} done`);
  }
  t.finishedAt = new Date(d.now()).toISOString();
  addTransition(s, 'active', `takeover complete: ${serviceAddress(f)} served here`, d.now());
  s.phase = 'active';
  d.store.save(s);
  log.warn(
    { address: serviceAddress(f), ms: Date.parse(t.finishedAt) - Date.parse(t.startedAt) },
    `takeover complete: ${serviceAddress(f)} is served by this host`,
  );
}

async function doStep(d: TakeoverDeps, step: TakeoverStep, s: FailoverState): Promise<string | undefined> {
  const f = d.cfg.failover;
  switch (step) {
    case 'stop-sync': {
      // The persisted phase already keeps new runs from starting (run.ts); end a running one,
      // if the lock's holder really is a sync run (a stale lock may name a reused pid).
      const pid = readHolder(syncLockPath(d.cfg.paths));
      const argv = pid && pid !== process.pid ? processArgv(pid) : undefined;
      let note: string | undefined;
      if (pid && argv && isSyncRun(argv)) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      } else if (pid && argv)
        note = `stop-sync: the sync lock names pid ${pid} (${argv.slice(0, 3).join(' ')}), which is not a baysync sync run; not signalled`;
      const stopped = await d.systemd.units('stop', f.stop_units);
      return [note, stopped].filter(Boolean).join('; ') || undefined;
    }
    case 'fence': {
      if (!f.fence_ssh_key) return 'fence: no fence_ssh_key configured; A was not fenced';
      // On a crossover segment a dead A takes the carrier with it: nothing to reach, no wait.
      if (!(await d.net.carrier(d.sysfs, f.segment.interface)))
        return `fence: no carrier on ${f.segment.interface}; A is off the segment, taken as down`;
      const r = await d.ssh.runForced(segmentTarget(f, f.fence_ssh_key, 2), 5000);
      return r.exitCode === 0
        ? 'fence: A answered on the segment; its LAN interface was brought down'
        : `fence: A did not answer on the segment (${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}); taken as down`;
    }
    case 'address': {
      const cidr = serviceAddress(f);
      await d.net.addAddress(f.lan.interface, cidr);
      await d.net.gratuitousArp(f.lan.interface, cidr.split('/')[0]!);
      return undefined;
    }
    case 'services':
      return d.systemd.units('start', f.services);
    case 'mail': {
      const t = s.takeover!;
      d.mail.enqueue({
        subject: `[baysync] TAKEOVER: this host now serves ${serviceAddress(f)}`,
        text: [
          `The main server stopped answering on both networks; this standby took over its address.`,
          ``,
          `Why:      ${t.why}`,
          `Started:  ${t.startedAt}`,
          `Address:  ${serviceAddress(f)} on ${f.lan.interface}`,
          `Services: ${f.services.length ? f.services.join(', ') : '(none configured)'}`,
          ``,
          ...t.notes.map((n) => `  - ${n}`),
          ``,
          `The real-time sync is suspended. The address is never handed back by itself: mend the`,
          `main server, keep its LAN interface down, then run \`baysync failover failback\` here.`,
        ].join('\n'),
      });
      return undefined;
    }
  }
}

/** `baysync [options] sync run` (the timer's or a hand's), by its argv. */
export function isSyncRun(argv: string[]): boolean {
  const i = argv.findIndex((a) => a === 'baysync' || a.endsWith('/baysync') || a.endsWith('cli/main.js'));
  const rest = argv.slice(i + 1);
  return i >= 0 && rest.some((a, j) => a === 'sync' && rest[j + 1] === 'run');
}
