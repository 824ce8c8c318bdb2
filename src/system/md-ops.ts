// The operations that change md state, as data (op.ts): the rotation's steps list them in the
// plan and the op runner runs them verbatim. Contract: pure; device names are validated by
// devPath()/kernelName() (invariant 7); mdadm is never asked to --scan (invariant 2).
import { join } from 'node:path';
import { devPath, kernelName, mdadmUuid } from '../util/names.js';
import { type Op, run, write } from './op.js';

const long = 60_000;
/**
 * The operations that change md state, as data (jobs/op.ts): the steps list them in the plan and
 * the op runner runs them verbatim. Contract: pure; device names are validated by devPath().
 */
export const mdOps = {
  /** Assemble explicitly by UUID from the given devices (never --scan). */
  assemble: (name: string, uuid: string, devices: string[], opts: { readonly?: boolean } = {}): Op =>
    run(
      [
        'mdadm',
        '--assemble',
        devPath(name),
        `--uuid=${mdadmUuid(uuid)}`,
        ...(opts.readonly ? ['--readonly'] : []),
        '--run',
        ...devices.map((d) => devPath(d)),
      ],
      long,
    ),
  /** A re-add md may refuse (a new member): the step reads the exit code. */
  reAdd: (mirror: string, dev: string): Op =>
    run(['mdadm', devPath(mirror), '--re-add', devPath(dev)], long, { mayFail: true }),
  add: (mirror: string, dev: string, fallback = false): Op =>
    run(['mdadm', devPath(mirror), '--add', devPath(dev)], long, { fallback }),
  /** Erase a member's md superblock (only ever a configured set's own stripe). */
  zeroSuperblock: (dev: string): Op => run(['mdadm', '--zero-superblock', devPath(dev)], long),
  /** Stop, then wait until the kernel has removed the array (see Op.awaitGone). */
  stop: (name: string, sysfs: string): Op =>
    run(['mdadm', '--stop', devPath(name)], long, { awaitGone: join(sysfs, 'block', kernelName(name)) }),
  /**
   * Fail and remove members in one call; if that fails (a member already faulty or gone), the
   * fallbacks do each member on its own, so the error names the member.
   */
  failAndRemove: (mirror: string, devs: string[]): Op[] =>
    devs.length
      ? [
          run(
            ['mdadm', devPath(mirror), ...devs.flatMap((d) => ['--fail', devPath(d), '--remove', devPath(d)])],
            long,
            { mayFail: true },
          ),
          ...devs.flatMap((d) => [
            run(['mdadm', devPath(mirror), '--fail', devPath(d)], long, { mayFail: true, fallback: true }),
            run(['mdadm', devPath(mirror), '--remove', devPath(d)], long, { fallback: true }),
          ]),
        ]
      : [],
  /** Let md resume a resync left "frozen" by an interrupted mdadm. */
  unfreeze: (sysfs: string, name: string): Op =>
    write(join(sysfs, 'block', kernelName(name), 'md', 'sync_action'), 'idle'),
  setBitmapTimeBase: (sysfs: string, name: string, seconds: number): Op =>
    write(join(sysfs, 'block', kernelName(name), 'md', 'bitmap', 'time_base'), String(seconds), { mayFail: true }),
};
