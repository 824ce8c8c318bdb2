// The abort steps (phase aborting): thaw the pool, take the set's root partitions and its partial
// copy out of the mirrors, stop the stripe, restore BackupPC to its state before the rotation
// (invariant 5) and mail the abort. Each runs once; a failing one is reported and the abort goes
// on (jobs/record.ts). Contract: they act only on what the rotation record and the facts show.
import { backuppcOps } from '../../system/backuppc.js';
import { fsOps } from '../../system/fs.js';
import { mdOps } from '../../system/md-ops.js';
import { isMemberOf } from '../detect.js';
import { rotationMail } from '../report.js';
import { doneOnceRecorded, type PlanCtx, type RotationStep } from './context.js';
import { restoreControlOps } from './enable-dumps.js';
import { runFailAndRemove } from './fail-remove.js';
import { rootPartitionsOut } from './remove-root-partitions.js';
import { runThaw, thawOps } from './thaw.js';
import { verifyDir } from './verify-assemble.js';

const stripeInMirror = (c: PlanCtx): boolean =>
  Boolean(c.stripe && c.mirror?.members.some((m) => m.dev === c.stripe!.name));

export const abortSteps: RotationStep[] = [
  {
    id: 'abort-thaw',
    phase: 'aborting',
    title: (c) => `thaw ${c.cfg.storage.mountpoint}`,
    status: (c) => ({ status: (!c.r.frozen && !c.r.remountedRo) || c.did('abort-thaw') ? 'done' : 'pending' }),
    ops: thawOps,
    run: runThaw,
  },
  {
    id: 'abort-remove-root-partitions',
    phase: 'aborting',
    applies: (c) => c.rootParts.length > 0,
    title: (c) => `remove ${c.rootParts.join(', ')} from the root mirror`,
    status: (c) => ({
      status:
        !c.rootParts.some((d) => isMemberOf(c.rootMirror, d) || c.rootMirror?.members.some((m) => m.dev === d)) ||
        c.did('abort-remove-root-partitions')
          ? 'done'
          : 'pending',
    }),
    ops: rootPartitionsOut,
    run: (c, exec, ops) => runFailAndRemove(c, exec, ops, c.rootMirror?.name),
  },
  {
    id: 'abort-remove-stripe',
    phase: 'aborting',
    title: (c) =>
      `remove the partial copy ${c.stripe?.name ?? c.r.stripeDevice} from ${c.mirror?.name ?? c.r.mirrorDevice ?? 'the mirror'}`,
    status: (c) => ({ status: !stripeInMirror(c) || c.did('abort-remove-stripe') ? 'done' : 'pending' }),
    ops: (c) => (stripeInMirror(c) ? mdOps.failAndRemove(c.mirror!.name, [c.stripe!.name]) : []),
    run: (c, exec, ops) => runFailAndRemove(c, exec, ops, c.mirror?.name),
  },
  {
    id: 'abort-stop-stripe',
    phase: 'aborting',
    title: (c) => `stop ${c.stripe?.name ?? c.r.stripeDevice}`,
    status: (c) => ({ status: !c.stripe || c.did('abort-stop-stripe') ? 'done' : 'pending' }),
    // A verification mount still on the copy (a kill mid-verification) is released first.
    ops: (c) =>
      c.stripe
        ? [...(c.facts.copy?.mounted ? [fsOps.umount(verifyDir(c))] : []), mdOps.stop(c.stripe.name, c.cfg.paths.sysfs)]
        : [],
    run: async (c, exec, ops) => {
      for (const op of ops) await exec(op);
      c.a.md.forgetAssembled(c.stripeName);
    },
  },
  {
    id: 'abort-restore-backuppc',
    phase: 'aborting',
    applies: (c) => c.cfg.backuppc.enabled,
    title: () => 'restore BackupPC to its state before the rotation',
    status: (c) => ({ status: !c.r.backuppc || c.did('abort-restore-backuppc') ? 'done' : 'pending' }),
    ops: (c) => {
      const was = c.r.backuppc?.serviceWasActive ?? false;
      return [
        ...(was && !c.facts.backuppc?.serviceActive ? [backuppcOps.start(c.cfg.backuppc)] : []),
        ...restoreControlOps(c, was),
      ];
    },
    run: async (_c, exec, ops) => {
      for (const op of ops) {
        const res = await exec(op);
        if (res.exitCode !== 0)
          throw new Error(`${res.argv.join(' ')}: ${res.stderr.trim() || `exit ${res.exitCode}`}`);
      }
    },
  },
  {
    id: 'abort-report',
    phase: 'aborting',
    title: () => 'mail the abort report',
    status: doneOnceRecorded('abort-report'),
    run: async (c) => {
      c.mail.enqueue(rotationMail(c.r, 'aborted', c.iso()));
    },
  },
];
