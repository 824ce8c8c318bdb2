// Integration harness: the real Daemon (engine, planner, spool, control socket) over the
// FakeSystem runner, with a real SMTP server on loopback receiving the mail.

import { Writable } from 'node:stream';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { createLogger, setLogger } from '../../src/log.js';
import { type LabLike, plugSet, seedTopology } from './fake-system.js';
import { TestSmtp } from './smtp.js';

export const logLines: string[] = [];
setLogger(
  createLogger({
    level: 'debug',
    journal: true,
    destination: new Writable({
      write(c: Buffer, _e, cb) {
        logLines.push(...c.toString().split('\n').filter(Boolean));
        if (process.env.HARNESS_LOG) process.stderr.write(c);
        cb();
      },
    }),
  }),
);

let nextPort = 20000 + Math.floor(Math.random() * 20000);

export interface Harness {
  lab: LabLike;
  smtp: TestSmtp;
  daemon: Daemon;
  plug(set: 'A' | 'B'): Promise<void>;
  phase(): string | undefined;
  waitPhase(p: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function waitUntil(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startHarness(
  opts: Parameters<typeof seedTopology>[0] = {},
  startDaemon = true,
  daemonOpts: Partial<DaemonOptions> = {},
): Promise<Harness> {
  const port = nextPort++;
  const lab = seedTopology({ ...opts, smtpPort: port });
  const smtp = new TestSmtp(port);
  await smtp.start();
  const daemon = new Daemon({
    configPath: lab.configPath,
    runner: lab.sys,
    env: {},
    scanIntervalMs: 3600_000,
    progressIntervalMs: 50,
    ...daemonOpts,
  });
  if (startDaemon) await daemon.start();
  const h: Harness = {
    lab,
    smtp,
    daemon,
    async plug(set) {
      plugSet(lab, set);
      const disks = set === 'A' ? ['sde', 'sdf'] : ['sdg', 'sdh'];
      for (const d of disks)
        for (const k of [d, `${d}1`, `${d}2`]) await daemon.handle({ cmd: 'notify', action: 'add', kernel: k });
    },
    phase: () => daemon.rotation!.engine!.state.rotation?.phase,
    async waitPhase(p, timeoutMs = 60_000) {
      await waitUntil(
        () => daemon.rotation!.engine!.state.rotation?.phase === p,
        `phase ${p} (now ${daemon.rotation!.engine!.state.rotation?.phase})`,
        timeoutMs,
      );
    },
    async close() {
      await daemon.stop();
      await smtp.stop();
      lab.sys.cleanup();
    },
  };
  return h;
}

/** Every command the fake system ran, as lines. */
export const argvs = (h: Harness): string[] => h.lab.sys.calls.map((c) => c.join(' '));

/** Let set A's recovery finish once the rotation syncs (md1: its root partitions, md5: its mirror). */
export async function syncToEnd(h: Harness): Promise<void> {
  await h.waitPhase('syncing');
  h.lab.sys.completeSync('md1');
  h.lab.sys.completeSync('md5');
}

/** The daemon "dies" (its timers and socket stop, nothing of the rotation is cleaned up) and a
 *  new one starts on the same config, state and system, as systemd would restart it. */
export async function restartDaemon(h: Harness): Promise<Daemon> {
  // A killed process does none of a graceful stop's work for the rotation (waiting for the step
  // under way, thawing the pool): its engine forgets the rotation in memory (the record on disk
  // stays as it was) before its timers and socket are stopped.
  const old = h.daemon.rotation?.engine;
  if (old) {
    old.close = () => Promise.resolve();
    old.state = { ...old.state, rotation: undefined };
  }
  await h.daemon.stop();
  const d2 = new Daemon({
    configPath: h.lab.configPath,
    runner: h.lab.sys,
    env: {},
    scanIntervalMs: 3600_000,
    progressIntervalMs: 50,
  });
  h.daemon = d2;
  await d2.start();
  return d2;
}
