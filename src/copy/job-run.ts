// The snapshot-copy job's executor (issue 13): one run of `baysync copy run`. It reads the facts
// (lvs, mountinfo), plans (job-plan.ts), runs each step's planned operations and nothing else
// (OpRunner.forStep), plans again once the snapshot exists (thin_delta names it by its thin id),
// sends the snapshot while the fill watch may stop it, and always removes what the run no longer
// needs (snapshot.ts afterRun). Contract: the record is saved with the run's generation before the
// snapshot is taken, so a crash leaves a snapshot that is found again by its name; the thin
// pool's metadata snapshot is released whatever thin_delta did; the outcome says what was read,
// sent and written, and why a run failed.
import type { CopyConfig } from '../config/copy.js';
import type { LvmAdapter } from '../system/lvm.js';
import type { OpRunner } from '../system/op-runner.js';
import { parseThinDelta } from '../system/parsers/lvs.js';
import type { MountEntry } from '../system/parsers/mountinfo.js';
import { readFill } from './fill.js';
import { FillWatch } from './fill-watch.js';
import { type CopyFacts, type CopyPlan, type CopyStep, planCopy, refOf } from './job-plan.js';
import type { CopyLastRun, CopyRecord } from './record.js';
import type { SessionOutcome } from './session.js';
import { afterRun, changedChunks, ownedSnapshots } from './snapshot.js';

export interface CopyRunDeps {
  cfg: CopyConfig & { volume: string };
  lvm: LvmAdapter;
  ops: OpRunner;
  mounts: () => MountEntry[];
  /** A device node's major:minor, or undefined when it cannot be read. */
  devOf: (path: string) => string | undefined;
  record: { load: () => CopyRecord; save: (r: CopyRecord) => void };
  send: (
    device: string,
    o: { signal: AbortSignal; changed?: number[]; onRead?: (bytesRead: number) => void },
  ) => Promise<SessionOutcome>;
  /** Progress of the transfer: the bytes it will read, then each update. */
  progress?: (total: number) => { update: (bytesRead: number) => void; end: () => void };
  log: (line: string) => void;
  now?: () => Date;
  /** The operator clears a tripped snapshot-fill guard (`baysync copy run --clear-guard`). */
  clearGuard?: boolean;
}

export interface CopyRunOutcome extends CopyLastRun {
  refused?: string;
  notes: string[];
  /** Each step's title, in the order it ran. */
  ran: string[];
}

export async function readCopyFacts(d: Pick<CopyRunDeps, 'cfg' | 'lvm' | 'mounts' | 'devOf'>): Promise<CopyFacts> {
  const ref = refOf(d.cfg.volume);
  const report = await d.lvm.lvs([ref.vg]);
  const origin = report.lvs.find((l) => l.name === ref.lv);
  const { owned, strangers } = ownedSnapshots(report.lvs, ref);
  const originDev = origin ? d.devOf(origin.dmPath) : undefined;
  return {
    ...(origin ? { origin } : {}),
    lvErrors: origin ? [] : report.errors,
    ...(originDev ? { originDev } : {}),
    mounts: d.mounts(),
    owned,
    strangers,
  };
}

export async function runCopyJob(d: CopyRunDeps): Promise<CopyRunOutcome> {
  const now = d.now ?? (() => new Date());
  const t0 = now().getTime();
  const loaded = d.record.load();
  const ran: string[] = [];
  const out = (ok: boolean, summary: string, extra: Partial<CopyRunOutcome> = {}): CopyRunOutcome => ({
    at: now().toISOString(),
    ok,
    summary,
    durationMs: now().getTime() - t0,
    notes: [],
    ran,
    ...extra,
  });
  if (loaded.guard && !d.clearGuard) {
    const refused = `the snapshot-fill guard tripped at ${loaded.guard.at}: ${loaded.guard.reason}. Once that is dealt with, run \`baysync copy run --clear-guard\``;
    return out(false, `refused: ${refused}`, { refused });
  }
  const { guard: cleared, ...rec } = loaded;
  if (cleared) d.log(`the snapshot-fill guard of ${cleared.at} is cleared by the operator`);
  const first = planCopy(d.cfg, rec, await readCopyFacts(d));
  if ('refused' in first) return out(false, `refused: ${first.refused}`, { refused: first.refused });
  const plan = first.plan;
  for (const n of plan.notes) d.log(n);
  // The generation is recorded before its snapshot exists: a crash leaves nothing unnamed.
  d.record.save({ ...rec, lastGen: Math.max(rec.lastGen, plan.snapshot.gen), inProgress: plan.snapshot.gen });
  const runStep = async (s: CopyStep): Promise<string[]> => {
    d.log(s.title);
    ran.push(s.title);
    const exec = d.ops.forStep(s.ops);
    const stdout: string[] = [];
    for (const op of s.ops) stdout.push((await exec(op)).stdout);
    return stdout;
  };
  let targetWritten = false;
  let tripped: string | undefined;
  let result: CopyRunOutcome;
  try {
    for (const s of plan.steps) {
      if (s.id === 'transfer') break;
      await runStep(s);
    }
    // Planned again from the facts now that the snapshot exists.
    const again = planCopy(d.cfg, d.record.load(), await readCopyFacts(d));
    if ('refused' in again) throw new Error(again.refused);
    const changed = await thinDeltaChunks(again.plan, d, runStep);
    ran.push(plan.steps.at(-1)!.title);
    const t = await transfer(again.plan, d, changed, (w) => {
      targetWritten = w;
    }).catch((e: unknown) => {
      if (e instanceof FillTripped) tripped = e.message;
      throw e;
    });
    result = out(t.ok, t.summary, t);
  } catch (e) {
    result = out(false, `failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Only snapshots that exist are removed (a run that failed before its snapshot made none).
  const present = (await readCopyFacts(d).catch(() => undefined))?.owned.map((o) => o.gen);
  const fin = afterRun(
    plan.origin,
    plan.snapshot.kind,
    plan.snapshot.gen,
    d.record.load(),
    { verified: result.ok, targetWritten },
    (g) => present?.includes(g) ?? true,
  );
  const removal = { id: 'remove' as const, title: 'remove the snapshots this run no longer needs', ops: fin.remove };
  try {
    if (removal.ops.length) await runStep(removal);
  } catch (e) {
    result.notes.push(`a snapshot could not be removed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const last: CopyLastRun = { ...result, durationMs: now().getTime() - t0 };
  for (const k of ['notes', 'ran', 'refused'] as const) delete (last as Partial<CopyRunOutcome>)[k];
  d.record.save({
    ...fin.memory,
    version: 1,
    last,
    ...(tripped ? { guard: { reason: tripped, at: result.at } } : {}),
    ...(result.ok ? { lastVerifiedAt: result.at } : rec.lastVerifiedAt ? { lastVerifiedAt: rec.lastVerifiedAt } : {}),
  });
  return { ...result, notes: [...plan.notes, ...result.notes], durationMs: last.durationMs };
}

/** Thin with a verified base: the chunks thin_delta names; the metadata snapshot is always released. */
async function thinDeltaChunks(
  plan: CopyPlan,
  d: CopyRunDeps,
  runStep: (s: CopyStep) => Promise<string[]>,
): Promise<number[] | undefined> {
  const step = plan.steps.find((s) => s.id === 'thin-delta');
  if (!step) return undefined;
  const [reserve, delta, release] = step.ops as [
    NonNullable<CopyStep['ops'][0]>,
    CopyStep['ops'][0],
    CopyStep['ops'][0],
  ];
  let stdout: string[];
  try {
    stdout = await runStep({ ...step, ops: [reserve, delta!] });
  } finally {
    await d.ops
      .forStep([release!])(release!)
      .catch(() => undefined);
  }
  const origin = plan.snapshot.current!.lv;
  return changedChunks(parseThinDelta(stdout[1]!).changed, d.cfg.chunk_mib * 1048576, origin.bytes);
}

/** The fill watch stopped the copy: the guard trips (invariant 13). */
class FillTripped extends Error {}

type TransferResult = Pick<CopyLastRun, 'ok' | 'summary'> & Partial<CopyLastRun>;

async function transfer(
  plan: CopyPlan,
  d: CopyRunDeps,
  changed: number[] | undefined,
  wrote: (w: boolean) => void,
): Promise<TransferResult> {
  const watch = new FillWatch({
    read: async () =>
      readFill(await d.lvm.lvs([plan.origin.vg]), plan.origin.vg, plan.snapshot.name, plan.snapshot.kind),
    abortPercent: d.cfg.snapshot_abort_percent,
    intervalMs: d.cfg.fill_check_seconds * 1000,
  });
  await watch.start();
  const why = (): FillTripped => new FillTripped((watch.signal.reason as Error).message);
  try {
    if (watch.signal.aborted) throw why();
    d.log(plan.steps.at(-1)!.title);
    // From here the secondary may have been written, unless it refuses.
    wrote(true);
    const chunk = d.cfg.chunk_mib * 1048576;
    const progress = d.progress?.(changed ? Math.min(changed.length * chunk, plan.volumeBytes) : plan.volumeBytes);
    const s = await d
      .send(plan.device, {
        signal: watch.signal,
        ...(changed ? { changed } : {}),
        ...(progress ? { onRead: progress.update } : {}),
      })
      .catch((e: unknown) => {
        throw watch.signal.aborted ? why() : e;
      })
      .finally(() => progress?.end());
    const fill = watch.maxPercent === undefined ? {} : { maxFillPercent: watch.maxPercent };
    if (!('refused' in s) && s.readAll) d.log(`thin_delta's ranges not used, every chunk read: ${s.readAll}`);
    if ('refused' in s) {
      wrote(false);
      return { ok: false, summary: `the secondary refused: ${s.refused}`, ...fill };
    }
    const counts = {
      ...(s.sent ? { bytesRead: s.sent.bytesRead, bytesSent: s.sent.bytesSent, chunksSent: s.sent.chunksSent } : {}),
      chunksWritten: s.result.chunksWritten,
      ...fill,
    };
    const fsckBad = s.result.fsck && !s.result.fsck.ok;
    const ok = s.result.ok && !fsckBad;
    const summary = !s.result.ok
      ? `failed on the secondary: ${s.result.reason ?? 'no reason given'}`
      : fsckBad
        ? `copied, but the secondary's filesystem check failed: ${s.result.fsck!.detail}`
        : `verified: ${s.result.chunksWritten} chunks written${s.sent ? ` of ${s.sent.chunks}` : ''}`;
    return { ok, summary, ...counts };
  } finally {
    watch.stop();
  }
}
