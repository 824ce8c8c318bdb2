// `npm run bench`: the core figures, measured on the real daemon (engine, planner, control
// socket, spool, SMTP to a real server on loopback) over the fake system runner, so that
// command time can be excluded exactly. Prints each figure with its target.
//   1. udev's database entry written -> first mdadm command issued (the /dev watch off), and disk
//      nodes appearing in /dev -> first mdadm command (the watch on)
//   2. mirror clean -> drives spun down and mail handed to the transport, command time excluded
//   3. idle daemon: RSS, and timer firings / shortest repeating timer while nothing rotates
//   4-7. push recovery point, failover time, flapping, 100k-file watcher (scripts/bench/net.ts;
//        BENCH_NET=rpo,failover,flap,watcher picks some, BENCH_NET=none skips them)
//   8. the snapshot copy's hash candidates and framing (scripts/bench/copy.ts), and its transfer
//      beside the seed's dd pipes, a changed pass and RSS (scripts/bench/copy-link.ts; BENCH_COPY=none
//      skips both)

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CommandRunner, RunOptions } from '../../src/system/runner.js';
import { plugSet } from '../../test/helpers/fake-system.js';
import { startHarness, waitUntil } from '../../test/helpers/harness.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const out: string[] = [];

// 1 and 2 -------------------------------------------------------------------------------
const udevToMdadm: number[] = [];
const nodeToMdadm: number[] = [];
const cleanToMailOverhead: number[] = [];
const cleanToMailTotal: number[] = [];
for (let i = 0; i < 2 * runs; i++) {
  // Even runs: udev's path alone; odd runs: the /dev watch (no udev entry written).
  const viaUdev = i % 2 === 0;
  const h = await startHarness({}, true, { watchDevices: !viaUdev });
  const sys = h.lab.sys;
  // Time every command the daemon runs (to exclude it), and note the first acting mdadm call.
  let firstMdadmAt = 0;
  let commandMs = 0;
  const inner = sys.run.bind(sys) as CommandRunner['run'];
  sys.run = async (argv: string[], o?: RunOptions) => {
    const t = performance.now();
    try {
      return await inner(argv, o);
    } finally {
      commandMs += performance.now() - t;
      if (!firstMdadmAt && argv[0] === 'mdadm' && argv[1] === '--assemble') firstMdadmAt = performance.now();
    }
  };
  if (viaUdev) {
    plugSet(h.lab, 'A');
    const t0 = performance.now();
    // As udev writes an entry once its rules ran: a temporary file renamed into place.
    writeFileSync(h.lab.sys.path('udev/data/.#b8:66tmp'), 'E:ID_FS_TYPE=linux_raid_member\n');
    renameSync(h.lab.sys.path('udev/data/.#b8:66tmp'), h.lab.sys.path('udev/data/b8:66'));
    await waitUntil(() => firstMdadmAt > 0, 'first mdadm command', 10_000);
    udevToMdadm.push(firstMdadmAt - t0);
  } else {
    const t0 = performance.now();
    plugSet(h.lab, 'A');
    await waitUntil(() => firstMdadmAt > 0, 'first mdadm command', 10_000);
    nodeToMdadm.push(firstMdadmAt - t0);
  }
  await h.waitPhase('syncing');
  sys.completeSync('md1');
  let mailAt = 0;
  h.daemon.mail.onSent = () => {
    mailAt ||= performance.now();
  };
  commandMs = 0;
  const c0 = performance.now();
  sys.completeSync('md5');
  await waitUntil(() => mailAt > 0, 'mail handed to the transport', 20_000);
  const spun = sys.calls.some((c) => c[0] === 'sdparm');
  if (!spun) throw new Error('drives were not spun down');
  cleanToMailTotal.push(mailAt - c0);
  cleanToMailOverhead.push(mailAt - c0 - commandMs);
  await waitUntil(() => !h.daemon.rotation!.engine!.state.rotation, 'rotation end');
  await h.close();
}
out.push(
  `udev database entry -> first mdadm command (mdadm --assemble), the daemon's udev watch: median ${med(udevToMdadm).toFixed(0)} ms, max ${Math.max(...udevToMdadm).toFixed(0)} ms over ${runs} runs (target < 1000 ms)`,
);
out.push(
  `disk nodes appear in /dev -> first mdadm command (the daemon's /dev watch): median ${med(nodeToMdadm).toFixed(0)} ms, max ${Math.max(...nodeToMdadm).toFixed(0)} ms over ${runs} runs (target < 1000 ms)`,
);
out.push(
  `mirror clean -> spun down + mail handed to SMTP, service overhead (command time excluded): median ${med(cleanToMailOverhead).toFixed(0)} ms, max ${Math.max(...cleanToMailOverhead).toFixed(0)} ms (target < 2000 ms; with the fake's command time: median ${med(cleanToMailTotal).toFixed(0)} ms)`,
);

// 3 ---------------------------------------------------------------------------------------
// The same V8 flags as the shipped unit's ExecStart.
const idle = await execa(
  'node',
  ['--lite-mode', '--no-expose-wasm', join(process.cwd(), 'build/scripts/bench/idle-daemon.js')],
  { reject: false },
);
if (idle.exitCode !== 0) throw new Error(`idle daemon bench failed: ${idle.stderr}`);
const r = JSON.parse(idle.stdout.trim().split('\n').at(-1)!) as {
  rssMB: number;
  firings: number;
  windowS: number;
  shortestRepeatMs: number | null;
};
out.push(
  `idle daemon (node --lite-mode, as in the unit): RSS ${r.rssMB.toFixed(1)} MB (target <= 60 MB); ${r.firings} timer firings in ${r.windowS} s idle; shortest repeating timer ${r.shortestRepeatMs === null ? 'none' : `${(r.shortestRepeatMs / 1000).toFixed(0)} s`} (target: none more often than once a minute)`,
);
// 4-7: real-time sync and failover, on real namespaces (issue 4).
if (process.env.BENCH_NET !== 'none') out.push(...(await (await import('./net.js')).netFigures()));
// 8: the snapshot copy (issue 13).
if (process.env.BENCH_COPY !== 'none') out.push(...(await import('./copy.js')).copyFigures());
if (process.env.BENCH_COPY !== 'none') out.push(...(await (await import('./copy-link.js')).copyLinkFigures()));
process.stdout.write(
  `\nbaysync bench (${new Date().toISOString()}, node ${process.version})\n${out.map((l) => `  ${l}`).join('\n')}\n`,
);
