// The sync planner: pure. Contract: from the [realtime] config, what to sync (the whole tree,
// or the paths the watcher saw change) and what the last good run counted, it returns the
// exact rsync argv (and the NUL-separated path list for --files-from) or a refusal with the
// reason. No I/O; the executor (run.ts) checks the guards it lists and runs the argv.
import type { RealtimeConfig } from '../config/schema.js';
import { sshOptions } from '../system/ssh.js';

/** paths: files changed, directories new (sent with their subtree), paths removed. */
export type SyncRequest = { kind: 'full' } | { kind: 'paths'; changed: string[]; trees?: string[]; removed: string[] };

export interface SyncPlan {
  kind: 'full' | 'paths';
  argv: string[];
  /** stdin for `--files-from=- --from0`. */
  input?: string;
  /** Deletions allowed this run (rsync --max-delete). */
  maxDelete: number;
  /** The base the share was taken of (files in the copy after the last good run). */
  deleteBase: number;
  description: string;
}

export type PlanResult = { ok: true; plan: SyncPlan } | { ok: false; reason: string };

export const partialDir = '.baysync-partial';

/** rsync's notation for the remote end, with a trailing slash (the tree's contents). */
export function remoteSpec(cfg: RealtimeConfig, path: string): string {
  const r = cfg.remote;
  if (r.transport === 'rsyncd') {
    const sub = path.replace(/^\/+/, '');
    return `rsync://${r.user}@${r.host}${r.port ? `:${r.port}` : ''}/${r.module ?? ''}/${sub}`.replace(/\/*$/, '/');
  }
  return `${r.user}@${r.host}:${path.replace(/\/*$/, '/')}`;
}

export function transportArgs(cfg: RealtimeConfig): string[] {
  const r = cfg.remote;
  if (r.transport === 'rsyncd')
    return [
      ...(r.password_file ? [`--password-file=${r.password_file}`] : []),
      `--contimeout=${r.connect_timeout_seconds}`,
    ];
  return [
    '-e',
    sshOptions({
      key: r.ssh_key,
      knownHosts: r.known_hosts,
      port: r.port,
      connectTimeoutSeconds: r.connect_timeout_seconds,
    }).join(' '),
  ];
}

/** Source and destination in rsync's order for this mode. */
export function endpoints(cfg: RealtimeConfig): { src: string; dst: string } {
  return cfg.mode === 'pull'
    ? { src: remoteSpec(cfg, cfg.source), dst: cfg.destination.replace(/\/*$/, '/') }
    : { src: cfg.source.replace(/\/*$/, '/'), dst: remoteSpec(cfg, cfg.destination) };
}

export function allowedDeletions(cfg: RealtimeConfig, base: number): number {
  return Math.max(cfg.max_delete_min_files, Math.floor((cfg.max_delete_percent / 100) * base));
}

/** A changed path as rsync's --files-from wants it: relative to the source, no "..", no NUL. */
export function cleanRelative(p: string): string | undefined {
  const rel = p === '.' ? '.' : p.replace(/^\/+/, '');
  if (!rel || rel.includes('\0') || rel.split('/').some((c) => c === '..')) return undefined;
  return rel;
}

export function planSync(
  cfg: RealtimeConfig,
  req: SyncRequest,
  deleteBase: number,
  opts: { allowDeletions?: boolean } = {},
): PlanResult {
  const maxDelete = opts.allowDeletions ? Number.MAX_SAFE_INTEGER : allowedDeletions(cfg, deleteBase);
  const common = [
    'rsync',
    '-a',
    '-H',
    '--numeric-ids',
    '--stats',
    `--timeout=${cfg.io_timeout_seconds}`,
    // No --delay-updates: rrsync (3.4+) pins the partial dir to one inode, and with it the
    // delayed files never reached their names (seen in test/netns, rsync 3.5.0).
    ...(cfg.partial ? [`--partial-dir=${partialDir}`] : []),
    ...(cfg.bwlimit_kbps > 0 ? [`--bwlimit=${cfg.bwlimit_kbps}`] : []),
    ...cfg.excludes.map((e) => `--exclude=${e}`),
    ...(opts.allowDeletions ? [] : [`--max-delete=${maxDelete}`]),
    ...transportArgs(cfg),
  ];
  const { src, dst } = endpoints(cfg);
  if (req.kind === 'full') {
    return {
      ok: true,
      plan: {
        kind: 'full',
        argv: [...common, '--delete', '--delete-delay', '--', src, dst],
        maxDelete,
        deleteBase,
        description: `full ${cfg.mode} ${src} -> ${dst}`,
      },
    };
  }
  const removed = [...new Set(req.removed.map(cleanRelative).filter((p): p is string => !!p))];
  const clean = (a: string[]): string[] =>
    [...new Set(a.map(cleanRelative).filter((p): p is string => !!p))].filter((p) => !removed.includes(p));
  const changed = clean(req.changed);
  const trees = clean(req.trees ?? []);
  if (removed.length > maxDelete) {
    return {
      ok: false,
      reason: `${removed.length} paths were removed on the source, more than allowed (${maxDelete}: the larger of ${cfg.max_delete_min_files} files and ${cfg.max_delete_percent}% of the ${deleteBase} files in the copy); nothing was deleted. If this is intended, run \`baysync sync run --allow-deletions\`.`,
    };
  }
  const list = [...trees, ...changed, ...removed];
  return {
    ok: true,
    plan: {
      kind: 'paths',
      // --files-from implies --relative; -r sends the subtree of a listed (new) directory,
      // the only directories listed; a listed path missing on the source is deleted on the
      // destination (--delete-missing-args, --force for a non-empty directory).
      argv: [...common, '--files-from=-', '--from0', '-r', '--delete-missing-args', '--force', '--', src, dst],
      input: list.map((p) => `${p}\0`).join(''),
      maxDelete,
      deleteBase,
      description: `${changed.length} changed, ${trees.length} new directories, ${removed.length} removed, ${cfg.mode} ${src} -> ${dst}`,
    },
  };
}
