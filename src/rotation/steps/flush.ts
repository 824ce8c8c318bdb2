// Step flush (phase detaching): filesystem buffers reach the disks before the freeze.
import { fsOps } from '../../system/fs.js';
import type { RotationStep } from './context.js';

export const flushStep: RotationStep = {
  id: 'flush',
  phase: 'detaching',
  keepsFacts: true,
  title: () => 'flush filesystem buffers (sync)',
  status: (c) => ({ status: c.did('flush') ? 'done' : 'pending' }),
  ops: () => [fsOps.sync()],
  run: async (_c, exec, ops) => {
    await exec(ops[0]!);
  },
};
