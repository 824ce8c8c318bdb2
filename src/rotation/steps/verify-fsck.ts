// Step verify-fsck (phase verifying): the copy's filesystem is checked without modification
// (xfs_repair -n, e2fsck -fn) on a read-only loop device at its offset inside the nested
// mirrors (invariant 3). A copy that would not mount cleanly on another PC fails here. Two
// passes: the loop is made and recorded (so an interrupted check finds and frees it), then the
// check runs and the loop is detached. Contract: skipped when the policy turns it off or the
// filesystem is not one baysync knows (the verification then says so). An XFS copy whose log
// holds changes (seen in the lab: fsfreeze leaves them; xfs_repair -n then reports the lazy
// superblock counters as wrong) is "not conclusive", not damaged: replaying the log would write.
import { fsOps } from '../../system/fs.js';
import { fsckVerdict } from '../../system/parsers/fsck-output.js';
import type { RotationStep } from './context.js';

export const verifyFsckStep: RotationStep = {
  id: 'verify-fsck',
  phase: 'verifying',
  title: (c) =>
    `check the copy's ${c.facts.copy?.fs?.type ?? ''} filesystem without modification on a read-only loop`.replace(
      '  ',
      ' ',
    ),
  status: (c) => {
    if (c.r.fsck || c.r.verify) return { status: 'done', note: c.r.fsck?.ok === false ? 'FAILED' : undefined };
    if (!c.cfg.policy.verify_fsck) return { status: 'skipped', note: 'disabled in policy' };
    return { status: 'pending' };
  },
  ops: (c) => {
    const fs = c.facts.copy?.fs;
    if (c.r.verifyLoop) return [...(fs ? [fsOps.fsck(fs.type, c.r.verifyLoop)] : []), fsOps.detachLoop(c.r.verifyLoop)];
    return [fsOps.loopCopy(c.stripeName, c.facts.copy?.dataOffset ?? 0)];
  },
  run: async (c, exec, ops) => {
    const fs = c.facts.copy?.fs;
    if (!c.r.verifyLoop) {
      if (!fs) {
        c.r.fsck = { tool: 'none', ok: false, detail: "no XFS or ext4 filesystem found at the copy's data offset" };
        return;
      }
      const loop = (await exec(ops[0]!)).stdout.trim();
      if (!/^\/dev\/loop\d+$/.test(loop)) throw new Error(`losetup printed no loop device (${loop || 'nothing'})`);
      c.r.verifyLoop = loop;
      c.persist();
      return 'again';
    }
    const loop = c.r.verifyLoop;
    try {
      if (fs) {
        const r = await exec(ops[0]!);
        c.r.fsck = fsckVerdict(fs.type, r.exitCode, r.stdout + r.stderr);
        const tool = c.r.fsck.tool;
        if (r.exitCode !== 0) c.log.warn({ set: c.r.set, output: r.stdout + r.stderr }, `${tool} output`);
      }
    } finally {
      await exec(ops[ops.length - 1]!);
      if (c.r.verifyLoop === loop) c.r.verifyLoop = undefined;
    }
  },
};
