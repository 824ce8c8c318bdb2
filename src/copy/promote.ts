// `baysync copy promote` (issue 13), run on the secondary to take over from a lost primary: the
// plan (pure) from what was found. It refuses while the primary still answers (unless forced:
// two servers must not run one pool), when the last copy did not end verified (the target may
// be partial), when the target is already mounted, or when no configuration copy arrived. It
// then marks the digest as no longer describing the target (it will be mounted and written),
// keeps the secondary's own BackupPC configuration beside it, puts the primary's in place, and
// mounts the volume; starting BackupPC is the operator's call, and the plan says how.
// Contract: pure; operands after `--`.
import type { CopyReceiveConfig } from '../config/copy.js';
import { type Op, run } from '../system/op.js';

export interface PromoteFacts {
  /** undefined: copy_receive.primary is not set, so it was not asked. */
  primaryAnswers?: boolean;
  /** The digest's "complete" mark (the last copy ended verified), or why there is none. */
  verifiedAt?: string;
  digestProblem?: string;
  targetMounted: boolean;
  configBackupPresent: boolean;
  /** When the plan is made, for the name of the kept configuration. */
  now: string;
}

export type PromotePlan = { refused: string } | { ops: Op[]; notes: string[] };

export function planPromote(
  c: CopyReceiveConfig,
  f: PromoteFacts,
  digestPath: string,
  o: { force?: boolean } = {},
): PromotePlan {
  if (f.primaryAnswers && !o.force)
    return {
      refused: `the primary ${c.primary} still answers: two servers must not run one pool. Stop it first (or, if it is being retired and cannot write to its pool any more, run again with --force)`,
    };
  if (!f.verifiedAt)
    return {
      refused: `the last copy did not end verified (${f.digestProblem ?? 'the digest has no complete mark'}): ${c.target} may hold a partial copy. Run a copy to its end first; to take the volume as it is, mount it by hand`,
    };
  if (f.targetMounted) return { refused: `${c.target} is already mounted; nothing was changed` };
  if (!f.configBackupPresent)
    return {
      refused: `no configuration copy in ${c.config_backup} (the primary's copy run sends it with its rrsync key); nothing was changed`,
    };
  const aside = `${c.backuppc_config}.before-promote-${f.now.replace(/[:.]/g, '-')}`;
  const notes = [
    `the copy was verified at ${f.verifiedAt}`,
    ...(f.primaryAnswers === undefined ? ['copy_receive.primary is not set: the primary was not asked'] : []),
    ...(f.primaryAnswers && o.force ? ['the primary still answers; promoted anyway (--force)'] : []),
    `this host's own configuration is kept as ${aside}`,
    `then: check ${c.mountpoint}, and start BackupPC (systemctl start backuppc); point the clients' DNS or address at this host`,
  ];
  return {
    ops: [
      // The digest no longer describes a target that is mounted and written: a later copy to
      // it starts from nothing.
      run(['rm', '-f', '--', digestPath], 10_000),
      run(['mv', '-T', '--', c.backuppc_config, aside], 60_000),
      run(['cp', '-a', '-T', '--', c.config_backup, c.backuppc_config], 300_000),
      run(['mkdir', '-p', '--', c.mountpoint], 10_000),
      run(['mount', '--', c.target, c.mountpoint], 600_000),
    ],
    notes,
  };
}
