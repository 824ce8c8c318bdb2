// Bench helper: run the real daemon (fake system runner, watchdog as in the shipped unit) idle
// for a while, counting timer firings and recording every repeating timer's period; then print
// RSS and those counts as JSON. Timers are instrumented before the daemon is imported.
const repeats: number[] = [];
let firings = 0;
let counting = false;
const origInterval = globalThis.setInterval;
const origTimeout = globalThis.setTimeout;
globalThis.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
  repeats.push(ms ?? 0);
  return origInterval(
    (...a: unknown[]) => {
      if (counting) firings++;
      fn(...a);
    },
    ms,
    ...rest,
  );
}) as typeof setInterval;
globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
  origTimeout(
    (...a: unknown[]) => {
      if (counting) firings++;
      fn(...a);
    },
    ms,
    ...rest,
  )) as typeof setTimeout;

const { seedTopology } = await import('../../test/helpers/fake-system.js');
const { Daemon } = await import('../../src/daemon/daemon.js');
const { setLogger, createLogger } = await import('../../src/log.js');
const { Writable } = await import('node:stream');
setLogger(createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }));
const lab = seedTopology();
const d = new Daemon({ configPath: lab.configPath, runner: lab.sys, env: { WATCHDOG_USEC: String(180e6) } });
await d.start();
await new Promise((r) => origTimeout(r, 2000));
const live = repeats.slice();
counting = true;
const windowS = Number(process.env.IDLE_WINDOW_S ?? 20);
await new Promise((r) => origTimeout(r, windowS * 1000));
counting = false;
(globalThis.gc as (() => void) | undefined)?.();
const rssMB = process.memoryUsage().rss / 1048576;
process.stdout.write(
  `${JSON.stringify({ rssMB, firings, windowS, shortestRepeatMs: live.length ? Math.min(...live) : null })}\n`,
);
await d.stop();
lab.sys.cleanup();
process.exit(0);
