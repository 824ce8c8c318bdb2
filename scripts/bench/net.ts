// Network figures of the real-time sync and the failover (issue 4), measured on real
// processes in real network namespaces (test/helpers/netlab.ts): the daemons are the built
// CLI with the unit's V8 flags, rsync goes over sshd with rrsync forced commands.
//   1. push recovery point: a small file written on A -> the same content on B (median)
//   2. failover: A fully down (both links) -> A's address served from B to a LAN client
//   3. flapping: both of A's links down/up every second for 60 s -> false takeovers
//   4. watcher on 100,000 files: start-up to watching, and the daemon's RSS
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failoverState, flapA, servedBy, standbyConfig, startServices } from '../../test/helpers/failover-lab.js';
import { cli, mainJs, pushConfig, waitFor } from '../../test/helpers/netdaemon.js';
import { NetLab, netlabMissing } from '../../test/helpers/netlab.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const unitFlags = ['--lite-mode', '--no-expose-wasm'];

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function pushRpo(samples: number): Promise<string> {
  const lab = new NetLab();
  try {
    await lab.up();
    const src = join(lab.dir, 'push-src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, '.baysync-source'), '');
    const cfg = pushConfig(lab, src, '/', 'push');
    lab.start('a', [process.execPath, ...unitFlags, mainJs, '-c', cfg, 'daemon'], 'a-push');
    await waitFor('the push daemon watching', () => /"watching /.test(lab.log('a-push')), 30_000, 100);
    await sleep(2000);
    const t: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `change-${i}.txt`;
      const body = `sample ${i} ${Date.now()}\n`;
      const t0 = performance.now();
      writeFileSync(join(src, name), body);
      await waitFor(
        `${name} on B`,
        () => existsSync(join(lab.dataB, name)) && readFileSync(join(lab.dataB, name), 'utf8') === body,
        30_000,
        10,
      );
      t.push(performance.now() - t0);
      await sleep(700);
    }
    return `push mode recovery point (small file written on A -> same content on B, default debounce 500 ms): median ${(med(t) / 1000).toFixed(2)} s, max ${(Math.max(...t) / 1000).toFixed(2)} s over ${samples} writes (target <= 5 s)`;
  } finally {
    await lab.down();
  }
}

async function failoverTime(runs: number): Promise<string> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const lab = new NetLab();
    try {
      await lab.up();
      writeFileSync(join(lab.dataA, '.baysync-source'), '');
      startServices(lab);
      await waitFor('A serving', () => servedBy(lab) === 'A', 10_000, 100);
      const cfg = standbyConfig(lab);
      lab.start('b', [process.execPath, ...unitFlags, mainJs, '-c', cfg, 'daemon'], 'b-daemon');
      await waitFor('standby healthy', () => failoverState(lab)?.verdict === 'healthy', 20_000);
      await sleep(1000 + Math.random() * 1000);
      const t0 = performance.now();
      // A dies: both of its links go down at once.
      lab.link('a', 'lan0', false);
      lab.link('a', 'seg0', false);
      await waitFor("B serving A's address", () => servedBy(lab) === 'B', 30_000, 50);
      t.push(performance.now() - t0);
    } finally {
      await lab.down();
    }
  }
  return `failover (A fully down -> A's address answered by B for a LAN client, defaults: interval 1 s, fall 4): median ${(med(t) / 1000).toFixed(1)} s, max ${(Math.max(...t) / 1000).toFixed(1)} s over ${runs} runs (target <= 10 s)`;
}

async function flapping(seconds: number): Promise<string> {
  const lab = new NetLab();
  try {
    await lab.up();
    const cfg = standbyConfig(lab);
    lab.start('b', [process.execPath, ...unitFlags, mainJs, '-c', cfg, 'daemon'], 'b-daemon');
    await waitFor('standby healthy', () => failoverState(lab)?.verdict === 'healthy', 20_000);
    await flapA(lab, seconds);
    const st = failoverState(lab)!;
    const takeovers = st.transitions.filter((x) => x.to === 'takeover').length;
    const verdicts = st.transitions.filter((x) => x.to !== 'takeover').length;
    return `flapping (both of A's links down/up every second for ${seconds} s, defaults): ${takeovers} false takeovers (target 0); ${verdicts} verdict changes logged`;
  } finally {
    await lab.down();
  }
}

async function watcher(files: number): Promise<string> {
  const lab = new NetLab();
  try {
    await lab.up();
    const src = join(lab.dir, 'big-tree');
    const perDir = 100;
    for (let d = 0; d < files / perDir; d++) {
      const dir = join(src, `d${Math.floor(d / 100)}`, `e${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < perDir; f++) writeFileSync(join(dir, `f${f}.txt`), `${d}/${f}\n`);
    }
    writeFileSync(join(src, '.baysync-source'), '');
    const cfg = pushConfig(lab, src, '/', 'big');
    const t0 = performance.now();
    const p = lab.start('a', [process.execPath, ...unitFlags, mainJs, '-c', cfg, 'daemon'], 'a-big');
    const line = await waitFor(
      'watching',
      () => /"ms":(\d+),[^\n]*"msg":"watching /.exec(lab.log('a-big')) ?? undefined,
      180_000,
      200,
    );
    const wall = performance.now() - t0;
    const rssWatching = rssMB(p.pid!);
    // The start-up reconcile copies the whole tree once; RSS is read again after it.
    await waitFor('the start-up reconcile', () => /sync done in/.test(lab.log('a-big')), 600_000, 500);
    const rssAfter = rssMB(p.pid!);
    const st = JSON.parse(cli(lab, 'a', cfg, ['status', '--json']).stdout) as {
      realtime: { push: { watcher: string } };
    };
    return `watcher on ${files.toLocaleString('en')} files in ${files / perDir} directories: ready in ${(Number(line[1]) / 1000).toFixed(1)} s (${(wall / 1000).toFixed(1)} s from process start; target <= 60 s), state ${st.realtime.push.watcher}; daemon RSS ${rssWatching.toFixed(0)} MB watching, ${rssAfter.toFixed(0)} MB after the first full push (target <= 150 MB)`;
  } finally {
    await lab.down();
  }
}

export async function netFigures(): Promise<string[]> {
  const missing = netlabMissing();
  if (missing) return [`network figures not measured: ${missing}`];
  const out: string[] = [];
  const only = process.env.BENCH_NET?.split(',');
  const want = (k: string): boolean => !only || only.includes(k);
  if (want('rpo')) out.push(await pushRpo(Number(process.env.BENCH_RPO_SAMPLES ?? 20)));
  if (want('failover')) out.push(await failoverTime(Number(process.env.BENCH_FAILOVER_RUNS ?? 5)));
  if (want('flap')) out.push(await flapping(60));
  if (want('watcher')) out.push(await watcher(100_000));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const l of await netFigures()) process.stdout.write(`  ${l}\n`);
}
