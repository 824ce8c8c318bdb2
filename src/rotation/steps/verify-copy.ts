// Step verify-copy (phase verifying): the copy is mounted read-only (ro,norecovery,nouuid on a
// read-only loop at the filesystem's offset inside the nested mirrors, nodev,nosuid,noexec),
// its marker checked and a sample of files compared with the live pool (verify.ts); the mount is
// always released. Contract: the copy is only ever read (invariant 3).
import { mkdirSync } from 'node:fs';
import { fsOps } from '../../system/fs.js';
import { verifyMountedCopy } from '../verify.js';
import type { RotationStep } from './context.js';
import { verifyDir } from './verify-assemble.js';

export const verifyCopyStep: RotationStep = {
  id: 'verify-copy',
  phase: 'verifying',
  keepsFacts: true,
  title: () => 'verify the copy read-only (mount ro,norecovery,nouuid at the data offset, marker and sample files)',
  status: (c) => ({
    status: c.r.verify ? 'done' : 'pending',
    note: c.r.verify ? (c.r.verify.ok ? 'ok' : `FAILED: ${c.r.verify.detail}`) : undefined,
  }),
  // A mount left by a daemon killed mid-verification is released first (seen in the lab).
  ops: (c) => [
    ...(c.facts.copy?.mounted ? [fsOps.umount(verifyDir(c))] : []),
    fsOps.mountCopy(c.stripeName, c.facts.copy?.dataOffset ?? 0, verifyDir(c)),
    fsOps.umount(verifyDir(c)),
  ],
  run: async (c, exec, ops) => {
    const mnt = verifyDir(c);
    mkdirSync(mnt, { recursive: true, mode: 0o700 });
    const [mount, umount] = ops.slice(-2);
    for (const leftover of ops.slice(0, -2)) await exec(leftover);
    await exec(mount!);
    try {
      c.r.verify = await verifyMountedCopy(c.cfg, c.r, mnt, c.facts.copy?.dataOffset ?? 0, c.log, c.beat);
    } finally {
      await exec(umount!);
    }
    c.log[c.r.verify.ok ? 'info' : 'error'](
      { set: c.r.set, ...c.r.verify },
      `verification ${c.r.verify.ok ? 'passed' : 'FAILED'}: ${c.r.verify.detail}`,
    );
  },
};
