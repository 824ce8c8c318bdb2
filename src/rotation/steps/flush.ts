// Step flush (phase detaching): filesystem buffers reach the disks before the freeze.
import { fsOps } from '../../system/fs.js';
import { doneOnceRecorded, type RotationStep, runAll } from './context.js';

export const flushStep: RotationStep = {
  id: 'flush',
  phase: 'detaching',
  keepsFacts: true,
  title: () => 'flush filesystem buffers (sync)',
  status: doneOnceRecorded('flush'),
  ops: () => [fsOps.sync()],
  run: runAll,
};
