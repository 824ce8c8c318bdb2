// The failover monitor inside the daemon on the standby (B). Contract: every interval_ms it
// probes A on both networks at once (ping through each interface, timeout_ms each), feeds
// the pure decision table (decide.ts), persists verdict changes as transitions, and carries
// out the actions: a report is logged and mailed, the cure is tried once, a takeover runs
// through takeover.ts. At start it resumes an unfinished takeover, and it treats the service
// address found on this host as a takeover already made. One round at a time; no round runs
// while a takeover or a failback is in progress.

import { logger } from '../log.js';
import type { PingResult } from '../system/parsers/ping.js';
import { type Action, aReturned, decide, downPath, freshPath, type PathCounter, updatePath } from './decide.js';
import { addTransition, type FailoverState, type Verdict } from './state.js';
import { runTakeover, segmentTarget, serviceAddress, type TakeoverDeps } from './takeover.js';

export interface PathStatus extends PathCounter {
  peer: string;
  interface: string;
  last?: PingResult & { at: string };
}

export interface FailoverStatus {
  phase: FailoverState['phase'];
  verdict: Verdict;
  serviceAddress: string;
  lan: PathStatus;
  segment: PathStatus;
  takeover?: FailoverState['takeover'];
  transitions: FailoverState['transitions'];
  rounds: number;
}

export class FailoverMonitor {
  state: FailoverState;
  private lan = freshPath();
  private segment = freshPath();
  private lastLan: PathStatus['last'];
  private lastSegment: PathStatus['last'];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy: Promise<void> | undefined;
  private rounds = 0;
  private readonly log = logger().child({ mod: 'failover' });

  constructor(
    private readonly d: TakeoverDeps,
    private readonly onStatus: (text: string) => void = () => undefined,
  ) {
    this.state = d.store.load();
  }

  private get f(): TakeoverDeps['cfg']['failover'] {
    return this.d.cfg.failover;
  }

  async start(): Promise<void> {
    const addr = serviceAddress(this.f);
    if (this.state.phase === 'monitoring' && (await this.d.net.hasAddress(this.f.lan.interface, addr))) {
      addTransition(
        this.state,
        'active',
        `${addr} found on ${this.f.lan.interface} at start: treated as a takeover already made`,
        this.d.now(),
      );
      this.state.phase = 'active';
      this.d.store.save(this.state);
      this.log.warn(
        `${addr} is already on ${this.f.lan.interface}: failover phase active (run \`baysync failover failback\` to hand it back)`,
      );
    }
    if (this.state.phase === 'takeover') {
      this.log.warn({ done: this.state.takeover?.done }, 'resuming an unfinished takeover');
      await this.takeover(undefined);
    }
    if (this.state.phase !== 'monitoring') this.lan = this.segment = downPath(this.f);
    this.publish();
    if (this.f.enabled) this.schedule(0);
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.busy ?? Promise.resolve();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const t0 = this.d.now();
      this.busy = this.round().catch((e: unknown) => this.log.error({ err: String(e) }, 'failover round failed'));
      void this.busy.finally(() => {
        this.busy = undefined;
        this.schedule(Math.max(0, this.f.interval_ms - (this.d.now() - t0)));
      });
    }, delay);
  }

  async round(): Promise<void> {
    const [lan, seg] = await Promise.all([
      this.d.net.ping(this.f.lan.interface, this.f.lan.peer, this.f.timeout_ms),
      this.d.net.ping(this.f.segment.interface, this.f.segment.peer, this.f.timeout_ms),
    ]);
    this.rounds++;
    const at = new Date(this.d.now()).toISOString();
    this.lastLan = { ...lan, at };
    this.lastSegment = { ...seg, at };
    // A probe that could not run says nothing about A (it is never counted as A being down).
    for (const [name, p] of [
      ['LAN', lan],
      ['segment', seg],
    ] as const)
      if (p.unknown) this.log.warn({ reason: p.reason }, `the ${name} probe could not run: ${p.reason}; not counted`);
    this.lan = updatePath(this.lan, lan.unknown ? undefined : lan.ok, this.f);
    this.segment = updatePath(this.segment, seg.unknown ? undefined : seg.ok, this.f);
    if (this.state.phase === 'active') this.watchForA();
    const ownLan = await this.d.net.carrier(this.d.sysfs, this.f.lan.interface);
    const s = this.state;
    const r = decide({
      phase: s.phase,
      verdict: s.verdict,
      lan: this.lan,
      segment: this.segment,
      ownLan,
      cureConfigured: !!this.f.cure_ssh_key,
      cureTried: !!s.cureTriedAt,
      lanPeer: this.f.lan.peer,
      segmentPeer: this.f.segment.peer,
    });
    if (r.verdict !== s.verdict) {
      if (s.phase === 'monitoring')
        addTransition(
          s,
          r.verdict,
          `lan ${this.describe(this.lastLan)}, segment ${this.describe(this.lastSegment)}`,
          this.d.now(),
        );
      if (r.verdict === 'healthy') s.cureTriedAt = undefined;
      s.verdict = r.verdict;
      this.d.store.save(s);
      this.log[r.verdict === 'healthy' ? 'info' : 'warn']({ verdict: r.verdict }, `failover verdict: ${r.verdict}`);
    }
    for (const a of r.actions) await this.act(a);
    this.publish();
  }

  /** While this host serves A's address: A answering again is said once, loudly. */
  private watchForA(): void {
    const t = this.state.takeover;
    const lanProbesSelf = serviceAddress(this.f).split('/')[0] === this.f.lan.peer;
    const via = aReturned({ lan: this.lan, segment: this.segment, lanProbesSelf });
    if (!t || !via || t.aReturnedAt) return;
    t.aReturnedAt = new Date(this.d.now()).toISOString();
    addTransition(this.state, 'active', `the main server answers again on ${via}`, this.d.now());
    this.d.store.save(this.state);
    const text = `The main server answers again on ${via}, while this host serves ${serviceAddress(this.f)}. If it brings its LAN interface up with the same address, both serve it (split brain). Keep its LAN interface down, then run \`baysync failover failback\` here.`;
    this.log.error(text);
    this.d.mail.enqueue({
      subject: '[baysync] failover: the main server is back',
      text: `${text}\n\n${this.summary()}\n`,
    });
  }

  private describe(p: PathStatus['last']): string {
    return p?.ok ? `ok ${p.rttMs ?? '?'} ms` : `no reply (${p?.reason ?? '?'})`;
  }

  private async act(a: Action): Promise<void> {
    switch (a.kind) {
      case 'report':
        this.log[a.level](a.text);
        this.d.mail.enqueue({ subject: `[baysync] failover: ${a.subject}`, text: `${a.text}\n\n${this.summary()}\n` });
        return;
      case 'cure': {
        this.state.cureTriedAt = new Date(this.d.now()).toISOString();
        this.d.store.save(this.state);
        const r = await this.d.ssh.runForced(segmentTarget(this.f, this.f.cure_ssh_key!, 3), 60_000);
        this.log.warn(
          { exitCode: r.exitCode },
          `cure over the segment ${r.exitCode === 0 ? 'ran' : `failed: ${r.stderr.trim().split('\n').pop() ?? ''}`}`,
        );
        return;
      }
      case 'takeover':
        await this.takeover(a.why);
        return;
    }
  }

  private async takeover(why: string | undefined): Promise<void> {
    const s = this.state;
    if (why !== undefined) {
      if (s.phase !== 'monitoring') return;
      addTransition(s, 'takeover', why, this.d.now());
      s.phase = 'takeover';
      s.takeover = { startedAt: new Date(this.d.now()).toISOString(), why, done: [], notes: [] };
      this.d.store.save(s);
      this.log.error(`main server down: taking over (${why})`);
    }
    this.onStatus(`failover: taking over ${serviceAddress(this.f)}`);
    await runTakeover(this.d, s);
  }

  summary(): string {
    const p = (name: string, c: PathCounter, l: PathStatus['last'], peer: string, iface: string): string =>
      `  ${name.padEnd(8)} ${peer} via ${iface}: ${c.up ? 'up' : 'DOWN'} (last ${this.describe(l)}, ${c.fails} failed in a row)`;
    return [
      `Failover phase ${this.state.phase}, verdict ${this.state.verdict}`,
      p('LAN', this.lan, this.lastLan, this.f.lan.peer, this.f.lan.interface),
      p('segment', this.segment, this.lastSegment, this.f.segment.peer, this.f.segment.interface),
    ].join('\n');
  }

  private publish(): void {
    const s = this.state;
    this.onStatus(
      s.phase === 'monitoring'
        ? `failover: ${s.verdict}`
        : `failover: ${s.phase} (${serviceAddress(this.f)} served here)`,
    );
  }

  status(): FailoverStatus {
    return {
      phase: this.state.phase,
      verdict: this.state.verdict,
      serviceAddress: serviceAddress(this.f),
      lan: { ...this.lan, peer: this.f.lan.peer, interface: this.f.lan.interface, last: this.lastLan },
      segment: {
        ...this.segment,
        peer: this.f.segment.peer,
        interface: this.f.segment.interface,
        last: this.lastSegment,
      },
      takeover: this.state.takeover,
      transitions: this.state.transitions,
      rounds: this.rounds,
    };
  }

  /** `failover failback` begins: the monitor stops deciding until resume(). */
  async beginFailback(): Promise<FailoverStatus> {
    await this.busy;
    if (this.state.phase === 'monitoring') throw new Error('nothing to fail back: this host has not taken over');
    if (this.state.phase === 'takeover') throw new Error('a takeover is still in progress; wait for it to finish');
    if (this.state.phase === 'active') {
      addTransition(this.state, 'failback', 'failback started by the operator', this.d.now());
      this.state.phase = 'failback';
      this.d.store.save(this.state);
    }
    return this.status();
  }

  /** A failback that could not finish: the address is back here; the phase returns to active. */
  cancelFailback(): FailoverStatus {
    if (this.state.phase === 'failback') {
      addTransition(
        this.state,
        'active',
        'failback cancelled: the address and services stay on this host',
        this.d.now(),
      );
      this.state.phase = 'active';
      this.d.store.save(this.state);
    }
    return this.status();
  }

  /** The last failback step: the address has left this host; monitoring and the sync resume. */
  async resume(): Promise<FailoverStatus> {
    if (this.state.phase !== 'failback') throw new Error(`failover phase is ${this.state.phase}, not failback`);
    if (await this.d.net.hasAddress(this.f.lan.interface, serviceAddress(this.f)))
      throw new Error(
        `${serviceAddress(this.f)} is still on ${this.f.lan.interface}; remove it first (the failback does)`,
      );
    addTransition(this.state, 'monitoring', 'failback complete: the main server serves again', this.d.now());
    this.state.phase = 'monitoring';
    this.state.verdict = 'unknown';
    this.state.takeover = undefined;
    this.state.cureTriedAt = undefined;
    this.lan = freshPath();
    this.segment = freshPath();
    this.d.store.save(this.state);
    this.publish();
    return this.status();
  }
}
