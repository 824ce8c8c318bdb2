// `npm run bench`, the snapshot copy's transfer figures (issue 13), side by side in one run on a
// veth link between two network namespaces, from the same source file: the seed's own pipes
// (`dd bs=1M | ssh dd` and `dd | nc`), then baysync's full pass over ssh and over raw TCP, a
// changed pass after 1 % of the chunks changed (against `cat SRC > /dev/null`, the floor of a
// pass that reads the source once), and the peak RSS of both ends. Needs root, sshd and nc.
// Contract: returns the lines to print; removes every namespace and file it made.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cli, hostConfig, mainJs } from '../../test/helpers/netdaemon.js';
import { NetLab, netlabMissing, segA, segB } from '../../test/helpers/netlab.js';

const MiB = 1048576;
const sizeMiB = Number(process.env.BENCH_COPY_LINK_MIB ?? 2048);
const chunkMiB = 4;

/** Realistic, not all-zero: random chunks (compressed files), text (logs), and sparse chunks. */
function writeSource(path: string): void {
  const fd = openSync(path, 'w', 0o600);
  const text = Buffer.from('2026-12-02 05:00:00 BackupPC_dump: host42 full backup started\n'.repeat(70_000));
  for (let i = 0; i < sizeMiB; i++) {
    const kind = i % 4;
    const b = kind < 2 ? randomBytes(MiB) : kind === 2 ? text.subarray(i % 64, (i % 64) + MiB) : Buffer.alloc(MiB, 0);
    if (kind === 3) b.write(`sparse ${i}`, 0);
    writeSync(fd, b);
  }
  closeSync(fd);
}

/** Every run starts from the disk, not from the page cache (when this machine allows it). */
function dropCaches(): void {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    // not allowed here: every run then reads from the page cache alike
  }
}

/** Runs `a | b` (argv arrays, no shell) and resolves with the wall time in ms. */
function pipeline(a: string[], b: string[]): Promise<number> {
  const t = performance.now();
  const pa = spawn(a[0]!, a.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const pb = spawn(b[0]!, b.slice(1), { stdio: ['pipe', 'ignore', 'inherit'] });
  pa.stdout.pipe(pb.stdin);
  return Promise.all([exit(pa), exit(pb)]).then(([ca, cb]) => {
    if (ca !== 0 || cb !== 0) throw new Error(`${a[0]} | ${b[0]}: exit ${ca}, ${cb}`);
    return performance.now() - t;
  });
}
const exit = (p: ChildProcess): Promise<number> => new Promise((r) => p.on('close', (c) => r(c ?? 1)));

/** Peak RSS (VmHWM, MiB) of the processes whose command line matches, sampled until stopped. */
function rssWatch(pattern: string): { stop: () => number } {
  let peak = 0;
  const t = setInterval(() => {
    for (const pid of spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // gone
      }
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(t);
      return peak;
    },
  };
}

export async function copyLinkFigures(): Promise<string[]> {
  const missing =
    netlabMissing() ?? (spawnSync('nc', ['-h']).error ? 'nc is missing (apt-get install netcat-openbsd)' : undefined);
  if (missing) return [`copy transfer figures skipped: ${missing}`];
  const lab = new NetLab();
  await lab.up();
  try {
    const src = join(lab.dir, 'a-source.img');
    const tgt = join(lab.dir, 'b-target.img');
    writeSource(src);
    for (const f of [tgt, lab.bDdTarget, join(lab.dir, 'b-nc-target.img')])
      spawnSync('truncate', ['-s', `${sizeMiB}M`, f]);
    const mibps = (ms: number): number => sizeMiB / (ms / 1000);
    const rates: Record<string, number> = {};
    // The seed's pipes.
    dropCaches();
    rates['dd | ssh dd'] = mibps(
      await pipeline(
        ['dd', `if=${src}`, 'bs=1M', 'status=none'],
        ['ip', 'netns', 'exec', lab.ns('a'), ...lab.sshToB('dd', 'dd')],
      ),
    );
    const ncTarget = openSync(join(lab.dir, 'b-nc-target.img'), 'r+');
    const listener = spawn('ip', ['netns', 'exec', lab.ns('b'), 'nc', '-l', '-N', segB, '9000'], {
      stdio: ['ignore', ncTarget, 'inherit'],
    });
    await new Promise((r) => setTimeout(r, 300));
    dropCaches();
    rates['dd | nc'] = mibps(
      await pipeline(
        ['dd', `if=${src}`, 'bs=1M', 'status=none'],
        ['ip', 'netns', 'exec', lab.ns('a'), 'nc', '-N', segB, '9000'],
      ),
    );
    await exit(listener);
    closeSync(ncTarget);
    // baysync, over ssh and over TCP; each a full pass (no digest on B).
    const key = join(lab.dir, 'copy.key');
    const fd = openSync(key, 'w', 0o600);
    writeSync(fd, randomBytes(32));
    closeSync(fd);
    hostConfig(
      lab,
      'b',
      `[copy_receive]\ntarget = "${tgt}"\nfsck = false\nkey_file = "${key}"\ntcp_allow = ["${segA}"]\n`,
      'copy',
    );
    const cfg = (transport: string): string =>
      hostConfig(
        lab,
        'a',
        `[copy]\nsource = "${src}"\nchunk_mib = ${chunkMiB}\ntransport = "${transport}"\nkey_file = "${key}"\n[copy.receiver]\nhost = "${segB}"\nuser = "root"\nssh_key = "${lab.keys.copy}"\nknown_hosts = "${lab.knownHosts}"\n`,
        `copy-${transport}`,
      );
    const digest = join(lab.dir, 'b-baysync-copy/state/copy-digest.bin');
    lab.start(
      'b',
      [
        process.execPath,
        'test/helpers/socket-activate.mjs',
        segB,
        '8737',
        process.execPath,
        mainJs,
        '-c',
        lab.bCopyConfig,
        'copy',
        'receive',
        '--tcp',
      ],
      'b-copy-socket',
    );
    await new Promise((r) => setTimeout(r, 500));
    const rss = { sender: 0, receiver: 0 };
    const pass = (transport: string): { ms: number; out: { sent: { bytesSent: number; chunksSent: number } } } => {
      const s = rssWatch(`copy-${transport}.toml copy send`);
      const r = rssWatch(`${lab.bCopyConfig} copy receive`);
      const t = performance.now();
      const res = cli(lab, 'a', cfg(transport), ['copy', 'send', '--json'], false);
      const ms = performance.now() - t;
      rss.sender = Math.max(rss.sender, s.stop());
      rss.receiver = Math.max(rss.receiver, r.stop());
      return { ms, out: JSON.parse(res.stdout) };
    };
    for (const transport of ['ssh', 'tcp']) {
      rmSync(digest, { force: true });
      dropCaches();
      rates[`baysync over ${transport}`] = mibps(pass(transport).ms);
    }
    // A changed pass: 1 % of the chunks, spread over the volume.
    const chunks = sizeMiB / chunkMiB;
    const changed = Math.max(1, Math.round(chunks / 100));
    const w = openSync(src, 'r+');
    for (let i = 0; i < changed; i++)
      writeSync(w, randomBytes(4096), 0, 4096, Math.floor((i * chunks) / changed) * chunkMiB * MiB);
    closeSync(w);
    dropCaches();
    const c0 = performance.now();
    await exit(spawn('cat', [src], { stdio: ['ignore', 'ignore', 'inherit'] }));
    const catMs = performance.now() - c0;
    dropCaches();
    const changedPass = pass('ssh');
    const fastest = Math.max(rates['dd | ssh dd']!, rates['dd | nc']!);
    const best = Math.max(rates['baysync over ssh']!, rates['baysync over tcp']!);
    const changedBytes = changed * chunkMiB * MiB;
    return [
      `copy transfer, ${sizeMiB} MiB of realistic data over a veth pair between namespaces, page cache dropped before each: ${Object.entries(
        rates,
      )
        .map(([k, v]) => `${k} ${v.toFixed(0)} MiB/s`)
        .join(
          ', ',
        )}; baysync's best / the fastest seed pipe = ${(best / fastest).toFixed(2)} (goal >= 1.0; baysync also fsyncs, reads back and compares every batch)`,
      `copy changed pass, ${changed} of ${chunks} chunks changed: ${changedPass.out.sent.chunksSent} chunks sent, ${(changedPass.out.sent.bytesSent / MiB).toFixed(2)} MiB on the wire for ${(changedBytes / MiB).toFixed(0)} MiB changed (goal <= 1.01 x plus framing); ${(changedPass.ms / 1000).toFixed(1)} s against cat SRC > /dev/null ${(catMs / 1000).toFixed(1)} s = ${(changedPass.ms / catMs).toFixed(2)} x (goal <= 1.2)`,
      `copy peak RSS: sender ${rss.sender.toFixed(0)} MiB, receiver ${rss.receiver.toFixed(0)} MiB (goal <= 100 MB each)`,
    ];
  } finally {
    await lab.down();
  }
}
