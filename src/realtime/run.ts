// The sync executor: one run of rsync, guarded. Contract: a run (1) refuses while the failover
// has taken over (the copy is then the live data), (2) takes the sync lock or reports the
// holder and does nothing, (3) checks the guards: the local side is the mounted filesystem it
// should be (the configured mount point, and any /etc/fstab mount point above it), the source
// carries its marker file, and the deletion guard has not tripped; (4) counts the deletions with
// a dry run first whenever the run may delete, and trips the guard (persisted, mailed once)
// instead of deleting more than allowed; (5) runs the planned argv, (6) records the run (bytes,
// counts, error) in realtime.json. Only a successful `--allow-deletions` run clears the guard.
// It never throws for a failed rsync: the failure is the run's result, with rsync's meaning of
// the exit code.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, RealtimeConfig } from '../config/schema.js';
import { logger } from '../log.js';
import type { MailSpool } from '../mail/spool.js';
import { syncLockPath } from '../paths.js';
import { FsAdapter } from '../system/fs.js';
import { fstabMountAbove, parseFstab } from '../system/parsers/fstab.js';
import { parseRsyncStats, rsyncExitMeaning } from '../system/parsers/rsync-stats.js';
import type { CommandRunner } from '../system/runner.js';
import { acquireLock } from '../util/lockfile.js';
import { planSync, remoteSpec, type SyncPlan, type SyncRequest, transportArgs } from './plan.js';
import { RealtimeStore, type SyncRun } from './state.js';

export type RunOutcome =
  | { status: 'done'; run: SyncRun }
  | { status: 'skipped'; reason: string }
  | { status: 'refused'; reason: string; run: SyncRun };

export class SyncRefused extends Error {}

/** rsync's last two stderr lines, after the far side's own refusal (`baysync receive: …`) if any. */
function stderrTail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const remote = lines.filter((l) => l.startsWith('baysync receive: '));
  const tail = [...remote, ...lines.slice(-2).filter((l) => !remote.includes(l))];
  return tail.length ? `: ${tail.join(' | ')}` : '';
}

export class SyncExecutor {
  readonly store: RealtimeStore;
  private readonly rt: RealtimeConfig;
  private readonly fs: FsAdapter;
  private readonly log = logger().child({ mod: 'sync' });

  constructor(
    private readonly cfg: Config,
    private readonly runner: CommandRunner,
    /** Why runs must not start now (the failover took over: the copy is the live data). */
    private readonly suspended: () => string | undefined = () => undefined,
    private readonly now: () => number = Date.now,
    /** Where a tripped deletion guard is told (the daemon's spool, or the command's own). */
    private readonly mail?: MailSpool,
  ) {
    if (!cfg.realtime) throw new Error('no [realtime] section in the configuration');
    this.rt = cfg.realtime;
    this.store = new RealtimeStore(cfg.paths.state_dir);
    this.fs = new FsAdapter(runner);
  }

  get lockPath(): string {
    return syncLockPath(this.cfg.paths);
  }

  async run(
    req: SyncRequest,
    trigger: string,
    opts: { allowDeletions?: boolean; signal?: AbortSignal } = {},
  ): Promise<RunOutcome> {
    const why = this.suspended();
    if (why)
      return {
        status: 'skipped',
        reason: `sync suspended: this host took over from the main server (${why}); resume it with \`baysync failover failback\``,
      };
    const lock = acquireLock(this.lockPath);
    if (!lock.ok)
      return { status: 'skipped', reason: `a sync is already running (pid ${lock.holder}); runs never overlap` };
    const started = this.now();
    try {
      const refusal = (await this.guards()) ?? this.trippedGuard(opts.allowDeletions);
      if (refusal)
        return {
          status: 'refused',
          reason: refusal,
          run: this.record(req, trigger, started, { ok: false, error: refusal }),
        };
      const base = this.store.load().lastFileCount ?? (await this.countCopy(opts.signal));
      const p = planSync(this.rt, req, base, opts);
      const tooMany = !p.ok
        ? p.reason
        : opts.allowDeletions || (req.kind === 'paths' && !req.removed.length)
          ? undefined
          : await this.countDeletions(p.plan, opts.signal);
      if (!p.ok || tooMany) {
        const reason = this.trip(tooMany ?? 'refused');
        return { status: 'refused', reason, run: this.record(req, trigger, started, { ok: false, error: reason }) };
      }
      this.log.info({ trigger, kind: p.plan.kind, maxDelete: p.plan.maxDelete }, `sync ${p.plan.description}`);
      const r = await this.runner.run(p.plan.argv, {
        input: p.plan.input,
        allowFailure: true,
        timeoutMs: 24 * 3600_000,
        signal: opts.signal,
      });
      const meaning = rsyncExitMeaning(r.exitCode);
      const stats = parseRsyncStats(r.stdout);
      const error = meaning.ok
        ? undefined
        : r.exitCode === 25
          ? `deletion guard: more than ${p.plan.maxDelete} files (the larger of ${this.rt.max_delete_min_files} and ${this.rt.max_delete_percent}% of the ${base} files in the copy) would be deleted; rsync stopped deleting there. Check the source; if intended, run \`baysync sync run --allow-deletions\`.`
          : `rsync: ${meaning.text}${stderrTail(r.stderr)}`;
      const fileCount = meaning.ok && req.kind === 'full' ? stats.files : undefined;
      const run = this.record(
        req,
        trigger,
        started,
        { ok: meaning.ok, exitCode: r.exitCode, error, ...stats },
        fileCount,
      );
      if (r.exitCode === 25) this.trip(error!);
      if (meaning.ok && opts.allowDeletions) this.store.clearGuard();
      if (error) this.log.error({ exitCode: r.exitCode }, `sync failed: ${error}`);
      else
        this.log.info(
          {
            durationMs: run.durationMs,
            bytesSent: stats.bytesSent,
            bytesReceived: stats.bytesReceived,
            transferred: stats.transferred,
            deleted: stats.deleted,
          },
          `sync done in ${run.durationMs} ms`,
        );
      return { status: 'done', run };
    } finally {
      lock.release();
    }
  }

  /** A tripped deletion guard refuses every run but an `--allow-deletions` one. */
  private trippedGuard(allowDeletions?: boolean): string | undefined {
    const g = this.store.load().guard;
    if (!g || allowDeletions) return undefined;
    return `the deletion guard tripped at ${g.trippedAt} (${g.reason}); nothing syncs until you check the source and run \`baysync sync run --allow-deletions\``;
  }

  /** Persist the tripped guard and tell the operator once; returns the run's refusal. */
  private trip(why: string): string {
    const at = new Date(this.now()).toISOString();
    const reason = `deletion guard: ${why.replace(/^deletion guard: /, '')}`;
    if (this.store.trip({ trippedAt: at, reason })) {
      this.log.error(
        { guard: reason },
        `${reason}; the standby sync stops until \`baysync sync run --allow-deletions\``,
      );
      this.mail?.enqueue({
        subject: '[baysync] standby sync stopped: the deletion guard tripped',
        text: `${reason}\n\nNothing was deleted, and no sync runs until you have checked the source (${this.rt.source}) and run\n\n  baysync sync run --allow-deletions\n\nwhich syncs once with deletions allowed and clears the guard.\n`,
      });
    }
    return reason;
  }

  /** A dry run of the planned argv without the cap: the deletions it would make, if too many. */
  private async countDeletions(plan: SyncPlan, signal?: AbortSignal): Promise<string | undefined> {
    const argv = ['rsync', '--dry-run', ...plan.argv.slice(1).filter((a) => !a.startsWith('--max-delete='))];
    const r = await this.runner.run(argv, { input: plan.input, allowFailure: true, timeoutMs: 3600_000, signal });
    const n = parseRsyncStats(r.stdout).deleted;
    if (!rsyncExitMeaning(r.exitCode).ok || n === undefined) return undefined; // the real run reports the failure
    if (n <= plan.maxDelete) return undefined;
    return `a dry run counted ${n} deletions, more than allowed (${plan.maxDelete}: the larger of ${this.rt.max_delete_min_files} files and ${this.rt.max_delete_percent}% of the ${plan.deleteBase} files in the copy); nothing was deleted`;
  }

  /** The reasons not to sync now, or undefined. */
  private async guards(): Promise<string | undefined> {
    const rt = this.rt;
    const local = rt.mode === 'push' ? rt.source : rt.destination;
    const fstabMount = await this.unmountedFstabMount(local);
    if (fstabMount)
      return `${fstabMount} (in ${this.cfg.paths.fstab}) is not mounted; refusing to sync ${rt.mode === 'push' ? 'from' : 'into'} ${local} on the filesystem below it (mount it, then the next run goes on)`;
    if (rt.local_mountpoint) {
      const mp = rt.local_mountpoint.replace(/\/+$/, '') || '/';
      if (!(await this.fs.isMounted(mp, this.cfg.paths.proc)))
        return `${mp} is not mounted; refusing to sync ${rt.mode === 'push' ? 'from' : 'into'} an unmounted mountpoint (mount it, then the next run goes on)`;
      if (!(local === mp || local.startsWith(`${mp}/`) || mp === '/'))
        return `${local} is not below realtime.local_mountpoint ${mp}`;
    }
    if (rt.mode === 'push') {
      const ok = await stat(join(rt.source, rt.source_marker)).then(
        () => true,
        () => false,
      );
      if (!ok)
        return `the source ${rt.source} has no ${rt.source_marker} marker: it is not mounted or not the right tree; refusing to sync (create the marker once on the real tree: touch ${join(rt.source, rt.source_marker)})`;
    } else {
      const r = await this.runner.run(
        ['rsync', '--list-only', ...transportArgs(rt), '--', `${remoteSpec(rt, rt.source)}${rt.source_marker}`],
        { allowFailure: true, timeoutMs: 60_000 },
      );
      if (r.exitCode !== 0) {
        const m = rsyncExitMeaning(r.exitCode);
        return r.exitCode === 23 || /No such file or directory/.test(r.stderr)
          ? `the source ${rt.source} on ${rt.remote.host} has no ${rt.source_marker} marker: it is not mounted or not the right tree; refusing to sync`
          : `cannot reach the source on ${rt.remote.host}: ${m.text}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
      }
    }
    return undefined;
  }

  /** The /etc/fstab mount point that holds `path` when it is not mounted (a marker left in the
   *  directory under it would pass the marker check). */
  private async unmountedFstabMount(path: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.cfg.paths.fstab, 'utf8');
    } catch {
      return undefined;
    }
    const e = fstabMountAbove(parseFstab(text), path);
    if (!e) return undefined;
    return (await this.fs.isMounted(e.mountpoint, this.cfg.paths.proc)) ? undefined : e.mountpoint;
  }

  /** First run only: the copy's file count, from a dry run (the base of the deletion share). */
  private async countCopy(signal?: AbortSignal): Promise<number> {
    const p = planSync(this.rt, { kind: 'full' }, 0, { allowDeletions: true });
    if (!p.ok) return 0;
    const r = await this.runner.run([...p.plan.argv.slice(0, 1), '--dry-run', ...p.plan.argv.slice(1)], {
      allowFailure: true,
      timeoutMs: 3600_000,
      signal,
    });
    const s = parseRsyncStats(r.stdout);
    // Files in the copy now = files in the source - files to create + files to delete.
    return Math.max(0, (s.files ?? 0) - (s.created ?? 0) + (s.deleted ?? 0));
  }

  private record(
    req: SyncRequest,
    trigger: string,
    started: number,
    r: Partial<SyncRun> & { ok: boolean },
    fileCount?: number,
  ): SyncRun {
    const end = this.now();
    const run: SyncRun = {
      kind: req.kind,
      trigger,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(end).toISOString(),
      durationMs: end - started,
      ...r,
    };
    this.store.record(run, fileCount);
    return run;
  }
}
