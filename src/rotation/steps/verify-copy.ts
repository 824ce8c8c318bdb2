// Step verify-copy (phase verifying): the copy is proved block by block against the live half of
// its mirror (prove-blocks.ts, after the page cache of both is dropped), then mounted read-only
// (ro,norecovery,nouuid on a read-only loop at the filesystem's offset inside the nested mirrors,
// nodev,nosuid,noexec), its marker checked and a uniform sample of files compared (verify.ts);
// the mount is always released. The verdict (verdict.ts) joins these with the filesystem check
// of verify-fsck. Contract: the copy is only ever read (invariant 3).
import { mkdirSync } from 'node:fs';
import { fsOps } from '../../system/fs.js';
import { proveBlocks } from '../prove-blocks.js';
import { verdict } from '../verdict.js';
import { verifyMountedCopy } from '../verify.js';
import type { PlanCtx, RotationStep } from './context.js';
import { verifyDir } from './verify-assemble.js';

/** The mirror's live half: its in-sync member other than the set's stripe. */
const liveHalf = (c: PlanCtx): string | undefined =>
  c.mirror?.members.find((m) => m.dev !== c.stripeName && m.state.includes('in_sync'))?.dev;

export const verifyCopyStep: RotationStep = {
  id: 'verify-copy',
  phase: 'verifying',
  keepsFacts: true,
  title: () =>
    'prove the copy block by block against the live half, then mount it read-only (ro,norecovery,nouuid at the data offset) for the marker and sampled files',
  status: (c) => ({
    status: c.r.verify ? 'done' : 'pending',
    note: c.r.verify ? (c.r.verify.ok ? 'ok' : `${c.r.verify.verdict ?? 'failed'}: ${c.r.verify.detail}`) : undefined,
  }),
  // A mount left by a daemon killed mid-verification is released first (seen in the lab).
  ops: (c) => {
    const live = liveHalf(c);
    return [
      ...(c.facts.copy?.mounted ? [fsOps.umount(verifyDir(c))] : []),
      fsOps.flushBuffers(live ? [c.stripeName, live] : [c.stripeName]),
      // Before the bitmap is read again, after the comparison (prove-blocks.ts).
      fsOps.flushBuffers([live ?? c.stripeName]),
      fsOps.mountCopy(c.stripeName, c.facts.copy?.dataOffset ?? 0, verifyDir(c)),
      fsOps.umount(verifyDir(c)),
    ];
  },
  run: async (c, exec, ops) => {
    const mnt = verifyDir(c);
    mkdirSync(mnt, { recursive: true, mode: 0o700 });
    const live = liveHalf(c);
    const [flush, reflush, mount, umount] = ops.slice(-4);
    for (const leftover of ops.slice(0, -4)) await exec(leftover);
    await exec(flush!);
    const blocks = live
      ? await proveBlocks({
          halves: c.a.halves,
          mirrorUuid: c.set.mirror_uuid,
          copyDev: c.stripeName,
          liveDev: live,
          sharePercent: c.cfg.policy.verify_block_share,
          fsOffset: c.facts.copy?.dataOffset ?? 0,
          fs: c.facts.copy?.fs,
          beat: c.beat,
          refresh: async () => void (await exec(reflush!)),
        })
      : undefined;
    await exec(mount!);
    let files: Awaited<ReturnType<typeof verifyMountedCopy>>;
    try {
      files = await verifyMountedCopy(c.cfg, c.r, mnt, c.log, c.beat);
    } finally {
      await exec(umount!);
    }
    c.r.verify = verdict(c.cfg, { fsck: c.r.fsck, blocks, files });
    c.log[c.r.verify.ok ? 'info' : c.r.verify.verdict === 'inconclusive' ? 'warn' : 'error'](
      { set: c.r.set, ...c.r.verify },
      `verification ${c.r.verify.verdict === 'ok' ? 'passed' : c.r.verify.verdict?.toUpperCase()}: ${c.r.verify.detail}`,
    );
  },
};
