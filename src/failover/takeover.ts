// The takeover executor. Contract: the steps run in the issue's order — stop the sync, fence
// A over the segment, add A's service address here with gratuitous ARP, start the services,
// mail the operator — and each step is persisted as done before the next, so a daemon
// restarted mid-takeover resumes at the first step not done and never repeats a finished one
// (the mail is sent once). Every step is idempotent, and a failing step is noted and the
// takeover goes on: serving the address matters more than any one service. Two things refuse
// the takeover instead (split brain): a fence that did not succeed while require_fence is set,
// and the service address answering on the LAN before it is added here (arping -D). A refused
// takeover starts the stopped timers again, returns to monitoring and is mailed.

import type { Config, FailoverConfig } from '../config/schema.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import { syncLockPath } from '../paths.js';
import type { FenceAdapter } from '../system/fence.js';
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
  fence?: FenceAdapter;
}

/** A step found that taking the address now would make two servers serve it. */
class TakeoverRefused extends Error {}

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
    let note: string | undefined;
    try {
      note = await doStep(d, step, s);
    } catch (e) {
      if (e instanceof TakeoverRefused) return refuse(d, s, e.message);
      note = `${step}: failed: ${e instanceof Error ? e.message : String(e)}`;
    }
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

async function refuse(d: TakeoverDeps, s: FailoverState, why: string): Promise<void> {
  const f = d.cfg.failover;
  const restarted = await d.systemd.units(
    'start',
    f.stop_units.filter((u) => u.endsWith('.timer')),
  );
  addTransition(s, 'monitoring', `takeover refused: ${why}`, d.now());
  s.phase = 'monitoring';
  s.takeover = undefined;
  d.store.save(s);
  const text = `The main server looked down on both networks, but the takeover was refused: ${why}.\n\nThe address stays where it is and the standby sync runs again${restarted ? ` (${restarted})` : ''}. Find out what holds the main server's address or why it could not be fenced; the monitor takes over at the next transition to "down".`;
  logger().child({ mod: 'failover' }).error(text);
  d.mail.enqueue({ subject: '[baysync] failover: TAKEOVER REFUSED (split-brain guard)', text });
}

async function fenceA(d: TakeoverDeps): Promise<{ fenced: boolean; notes: string[] }> {
  const f = d.cfg.failover;
  const notes: string[] = [];
  let fenced = false;
  if (f.fence_command && d.fence) {
    const r = await d.fence.run(f.fence_command);
    fenced = r.exitCode === 0;
    notes.push(
      fenced
        ? `fence: ${f.fence_command[0]} succeeded`
        : `fence: ${f.fence_command[0]} failed (${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`})`,
    );
  }
  if (f.fence_ssh_key && !fenced) {
    // On a crossover segment a dead A takes the carrier with it: nothing to reach, no wait.
    if (!(await d.net.carrier(d.sysfs, f.segment.interface)))
      notes.push(`fence: no carrier on ${f.segment.interface}; A is off the segment, taken as down`);
    else {
      const r = await d.ssh.runForced(segmentTarget(f, f.fence_ssh_key, 2), 5000);
      fenced = r.exitCode === 0;
      notes.push(
        fenced
          ? 'fence: A answered on the segment; its LAN interface was brought down'
          : `fence: A did not answer on the segment (${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}); taken as down`,
      );
    }
  }
  if (!f.fence_ssh_key && !f.fence_command) notes.push('fence: no fence configured; A was not fenced');
  return { fenced, notes };
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
      const { fenced, notes } = await fenceA(d);
      if (f.require_fence && !fenced)
        throw new TakeoverRefused(`${notes.join('; ')}; require_fence is set and no fence succeeded`);
      return notes.join('; ');
    }
    case 'address': {
      const cidr = serviceAddress(f);
      const ip = cidr.split('/')[0]!;
      const before = await d.net.duplicate(f.lan.interface, ip);
      if (before === 'taken' && !(await d.net.hasAddress(f.lan.interface, cidr)))
        throw new TakeoverRefused(`${ip} answers on the LAN (arping -D got a reply): another host still holds it`);
      await d.net.addAddress(f.lan.interface, cidr);
      await d.net.gratuitousArp(f.lan.interface, ip);
      // A conflict that shows up only now is said at once, loudly; the takeover goes on.
      void d.net.duplicate(f.lan.interface, ip, 2).then((after) => {
        if (after !== 'taken') return;
        const text = `ADDRESS CONFLICT: ${ip} was added here and another host answers for it too (arping -D). Two servers serve the main server's address: take one off the LAN now.`;
        logger().child({ mod: 'failover' }).error(text);
        d.mail.enqueue({ subject: `[baysync] failover: ADDRESS CONFLICT on ${ip}`, text });
      });
      return before === 'unknown' ? `address: the duplicate-address check (arping -D) could not run` : undefined;
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
