// `baysync copy send` and `baysync copy receive` (issue 13): one snapshot-copy pass of an
// unmounted volume (a snapshot) to the secondary, and the secondary's forced command. Contract:
// the receiver writes only its own config's target, holds a lock so that two sessions never
// write it at once, logs to stderr (its stdout is the link), and exits 0 only for a verified
// copy; the sender prints what was read, sent and written.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { type CopyPlanResult, planCopy } from '../copy/job-plan.js';
import { type CopyRunOutcome, readCopyFacts, runCopyJob } from '../copy/job-run.js';
import { receiveSession, sendOverSsh, sendOverTcp, writerFor } from '../copy/link.js';
import { CopyProgress } from '../copy/progress.js';
import { copyRecordSpec } from '../copy/record.js';
import { copyReport } from '../copy/report.js';
import { copyLockPath, copyProgressPath } from '../copy/service.js';
import type { SenderSide, ServeOutcome, SessionOutcome } from '../copy/session.js';
import { checkTargetFs } from '../copy/target-check.js';
import { RecordStore } from '../jobs/store.js';
import { MailSpool } from '../mail/spool.js';
import { copyDigestPath } from '../paths.js';
import { deviceNumber } from '../system/block.js';
import { ChunkTarget } from '../system/chunk-target.js';
import { readSharedKey } from '../system/key-file.js';
import { LvmAdapter } from '../system/lvm.js';
import { renderOp } from '../system/op.js';
import { OpRunner } from '../system/op-runner.js';
import { parseMountinfo } from '../system/parsers/mountinfo.js';
import { ExecRunner } from '../system/runner.js';
import { SystemdAdapter } from '../system/systemd.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { acquireLock } from '../util/lockfile.js';

export interface SendRequest {
  /** The device or file read (default: copy.source). */
  source?: string;
  signal?: AbortSignal;
  changed?: number[];
  onChunk?: (done: number, chunks: number) => void;
  /** The bytes read so far, after each chunk. */
  onRead?: (bytesRead: number) => void;
}

export async function copySend(cfg: Config, req: SendRequest = {}): Promise<SessionOutcome> {
  const c = cfg.copy;
  if (!c) throw new Error('this host has no [copy] section in its config (see baysync.toml(5))');
  const path = req.source ?? c.source;
  if (!path)
    throw new Error(
      `copy send reads copy.source, and this config names copy.volume (${c.volume}): \`baysync copy run\` snapshots it and sends the snapshot`,
    );
  const source = await ChunkTarget.open(path, cfg.paths.sysfs, { readOnly: true });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('stopped by a signal'));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, onSignal);
  try {
    const side: SenderSide = {
      volumeBytes: source.bytes,
      chunkBytes: c.chunk_mib * 1048576,
      source,
      readAhead: c.read_ahead,
      signal: req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal,
      ...(req.onChunk || req.onRead
        ? {
            onChunk: (p) => {
              req.onChunk?.(p.index + 1, p.chunks);
              req.onRead?.(p.bytesRead);
            },
          }
        : {}),
      ...(req.changed ? { changed: req.changed } : {}),
    };
    return c.transport === 'tcp'
      ? await sendOverTcp(c.receiver, readSharedKey(c.key_file!), side)
      : await sendOverSsh(new ExecRunner(), c.receiver, side);
  } finally {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.off(sig, onSignal);
    await source.close();
  }
}

export async function copyReceive(
  cfg: Config,
  log: (line: string) => void,
  o: { tcp?: boolean } = {},
): Promise<ServeOutcome> {
  const keyFile = cfg.copy_receive?.key_file;
  if (o.tcp && !keyFile) throw new Error('copy_receive.key_file is needed to receive over TCP');
  // Over TCP, systemd's socket gives the peer's address; the key is read before anything else.
  const tcp = o.tcp
    ? { key: readSharedKey(keyFile!), remote: process.env.REMOTE_ADDR?.replace(/^::ffff:/, '') }
    : undefined;
  const lock = acquireLock(join(cfg.paths.run_dir, 'copy-receive.lock'));
  const write = writerFor(process.stdout);
  if (!lock.ok) {
    const why = `another copy is being received (pid ${lock.holder}); try again when it has ended`;
    return receiveSession(process.stdin, write, {
      cfg: cfg.copy_receive,
      digestPath: '/nonexistent',
      openTarget: () => Promise.reject(new Error(why)),
      dropCache: async () => undefined,
      log,
      ...(tcp ? { tcp } : {}),
    });
  }
  const runner = new ExecRunner();
  try {
    return await receiveSession(process.stdin, write, {
      cfg: cfg.copy_receive,
      digestPath: copyDigestPath(cfg.paths),
      openTarget: () => ChunkTarget.open(cfg.copy_receive!.target, cfg.paths.sysfs),
      // coreutils' documented way to drop a file's cached pages (posix_fadvise DONTNEED), so
      // that the read-back reads the device, not the cache.
      dropCache: async (target) =>
        void (await runner.run(['dd', '--', `if=${target}`, 'iflag=nocache', 'count=0'], { quiet: true })),
      log,
      checkTarget: () => checkTargetFs(runner, cfg.copy_receive!.target, cfg.paths.sysfs),
      ...(tcp ? { tcp } : {}),
    });
  } finally {
    lock.release();
  }
}

export function renderSend(out: SessionOutcome): string {
  if ('refused' in out) return `the receiver refused the copy: ${out.refused}`;
  const s = out.sent;
  const r = out.result;
  const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
  const lines = [
    s
      ? `read ${mib(s.bytesRead)} in ${s.chunks} chunks; sent ${s.chunksSent} chunks (${mib(s.bytesSent)} with framing); the receiver knew ${out.known}`
      : 'the receiver ended the session before the sender was done',
    `written and read back on the receiver: ${r.chunksWritten} chunks, ${mib(r.bytesWritten)}`,
    r.ok
      ? 'verified: the target equals the source, chunk by chunk and as a whole'
      : `FAILED: ${r.reason ?? 'no reason given'}`,
    ...(r.fsck ? [`the target's filesystem: ${r.fsck.ok ? '' : 'FAILED: '}${r.fsck.detail}`] : []),
  ];
  return lines.join('\n');
}

/** `baysync copy run`: one run of the snapshot copy, or its plan (nothing is changed). */
export async function copyRun(
  cfg: Config,
  o: { plan?: boolean; clearGuard?: boolean },
  log: (line: string) => void,
): Promise<CopyRunOutcome | { plan: CopyPlanResult }> {
  const c = cfg.copy;
  if (!c?.volume)
    throw new Error('copy run needs copy.volume = "vg/lv", the LVM volume holding the pool (see baysync.toml(5))');
  const copy = { ...c, volume: c.volume };
  const runner = new ExecRunner();
  const store = new RecordStore(cfg.paths.state_dir, 'copy', copyRecordSpec);
  const deps = {
    cfg: copy,
    lvm: new LvmAdapter(runner),
    mounts: () => parseMountinfo(readFileSync(join(cfg.paths.proc, 'self', 'mountinfo'), 'utf8')),
    devOf: deviceNumber,
  };
  if (o.plan) return { plan: planCopy(copy, store.load(), await readCopyFacts(deps)) };
  const lock = acquireLock(copyLockPath(cfg.paths.run_dir));
  if (!lock.ok) throw new Error(`another copy is running (pid ${lock.holder}); try again when it has ended`);
  const spool = new MailSpool(cfg.paths.state_dir, cfg.mail);
  const systemd = new SystemdAdapter(runner);
  try {
    const out = await runCopyJob({
      ...deps,
      ops: new OpRunner(runner),
      record: { load: () => store.load(), save: (r) => store.save(r) },
      send: (device, s) => copySend(cfg, { source: device, ...s }),
      progress: (total) => {
        const file = copyProgressPath(cfg.paths.run_dir);
        const p = new CopyProgress({
          total,
          now: Date.now,
          publish: (snap) => {
            writeFileAtomic(file, JSON.stringify(snap), 0o644);
            void systemd.notify({ STATUS: `copying: ${snap.text}` });
          },
          log,
        });
        return { update: (b) => p.update(b), end: () => rmSync(file, { force: true }) };
      },
      log,
      ...(o.clearGuard ? { clearGuard: true } : {}),
    });
    const r = store.load();
    const mail = copyReport(out, copy.volume, c.receiver.host, r.lastVerifiedAt, Date.now());
    if (mail) spool.enqueue(mail);
    // Handed to the transport before the command exits; one it does not take stays spooled
    // for the daemon to retry.
    await spool.drain();
    return out;
  } finally {
    spool.close();
    lock.release();
  }
}

export function renderRun(out: CopyRunOutcome | { plan: CopyPlanResult }): string {
  if ('plan' in out) {
    const p = out.plan;
    if ('refused' in p) return `a run would be refused: ${p.refused}`;
    return [
      ...p.plan.steps.flatMap((s, i) => [`${i + 1}. ${s.title}`, ...s.ops.map((op) => `   $ ${renderOp(op)}`)]),
      ...p.plan.notes.map((n) => `note: ${n}`),
    ].join('\n');
  }
  const mib = (b: number | undefined): string => (b === undefined ? '-' : `${(b / 1048576).toFixed(1)} MiB`);
  return [
    out.summary,
    ...(out.refused
      ? []
      : [
          `read ${mib(out.bytesRead)}, sent ${mib(out.bytesSent)} (${out.chunksSent ?? '-'} chunks), written on the secondary: ${out.chunksWritten ?? '-'} chunks`,
          `the snapshot was at most ${out.maxFillPercent === undefined ? '-' : `${out.maxFillPercent.toFixed(1)}%`} full; ${(out.durationMs / 1000).toFixed(1)} s`,
        ]),
    ...out.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
