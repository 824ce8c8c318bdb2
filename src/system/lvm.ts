// LVM adapter (issue 13's snapshot copy): reads `lvs` reports, and lists the operations on
// snapshots as data (lvcreate, lvremove, the thin pool's metadata snapshot through dmsetup,
// thin_delta). Contract: argv only, `--` before every operand that comes from the config; no
// decisions here (src/copy/snapshot.ts decides what to create and remove). Every snapshot
// baysync creates carries the tag OWN_TAG, so that it is found by tag and name, never by guessing.
import { type Op, run } from './op.js';
import { LV_FIELDS, type LvReport, parseLvs } from './parsers/lvs.js';
import type { CommandRunner } from './runner.js';

export const OWN_TAG = 'baysync-copy';

export interface LvRef {
  vg: string;
  lv: string;
}

export const lvPath = (r: LvRef): string => `${r.vg}/${r.lv}`;

/** device-mapper's name of a volume: hyphens inside each name are doubled. */
export const dmName = (vg: string, lv: string): string => `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;

export const dmNode = (vg: string, lv: string): string => `/dev/mapper/${dmName(vg, lv)}`;

/** The copy-on-write space of a classic snapshot: "100%FREE" style (extents) or "20G" style (size). */
const sizeArgs = (size: string): string[] => (size.includes('%') ? ['--extents', size] : ['--size', size]);

export const lvmOps = {
  /** A classic snapshot with its own copy-on-write space. */
  snapshotClassic: (origin: LvRef, name: string, size: string): Op =>
    run(
      ['lvcreate', '--yes', '--snapshot', '--name', name, '--addtag', OWN_TAG, ...sizeArgs(size), '--', lvPath(origin)],
      120_000,
    ),
  /** A thin snapshot in the origin's pool, activated (thin snapshots skip activation by default). */
  snapshotThin: (origin: LvRef, name: string): Op =>
    run(
      [
        'lvcreate',
        '--yes',
        '--snapshot',
        '--setactivationskip',
        'n',
        '--name',
        name,
        '--addtag',
        OWN_TAG,
        '--',
        lvPath(origin),
      ],
      120_000,
    ),
  remove: (vg: string, name: string): Op => run(['lvremove', '--yes', '--', lvPath({ vg, lv: name })], 120_000),
  /** thin_delta reads the pool's metadata only through a metadata snapshot; one at a time. */
  reserveMetadataSnap: (vg: string, pool: string): Op =>
    run(['dmsetup', 'message', '--', `${dmName(vg, pool)}-tpool`, '0', 'reserve_metadata_snap'], 60_000),
  releaseMetadataSnap: (vg: string, pool: string, extra: { mayFail?: boolean } = {}): Op =>
    run(['dmsetup', 'message', '--', `${dmName(vg, pool)}-tpool`, '0', 'release_metadata_snap'], 60_000, extra),
  /** The ranges that differ between two thin devices of one pool (parsers/lvs.ts parseThinDelta);
   *  it reads the metadata snapshot reserved above. */
  thinDelta: (vg: string, pool: string, fromId: number, toId: number): Op =>
    run(
      ['thin_delta', '-m', '--snap1', String(fromId), '--snap2', String(toId), '--', `${dmNode(vg, pool)}_tmeta`],
      600_000,
    ),
};

export class LvmAdapter {
  constructor(private readonly runner: CommandRunner) {}

  /** The volumes named (vg, or vg/lv); LVM's own reason is in `errors` when one does not exist. */
  async lvs(names: string[], opts: { all?: boolean } = {}): Promise<LvReport> {
    const r = await this.runner.run(
      [
        'lvs',
        '--reportformat',
        'json',
        '--units',
        'b',
        '--nosuffix',
        '-o',
        LV_FIELDS,
        ...(opts.all ? ['-a'] : []),
        '--',
        ...names,
      ],
      { timeoutMs: 60_000, allowFailure: true, quiet: true },
    );
    if (r.exitCode !== 0 && !r.stdout.trim())
      return { lvs: [], errors: [r.stderr.trim().split('\n').at(-1) ?? `lvs exited ${r.exitCode}`] };
    return parseLvs(r.stdout);
  }
}
