// The rotation's steps in order: the normal run (checking → reporting) and the abort. The
// planner lists them with their status and operations; the executor runs the first open one.

import { addRootPartitionsStep } from './add-root-partitions.js';
import { assembleStripeStep } from './assemble-stripe.js';
import { checkSetStep } from './check-set.js';
import type { RotationStep } from './context.js';
import { disableDumpsStep } from './disable-dumps.js';
import { enableDumpsStep } from './enable-dumps.js';
import { flushStep } from './flush.js';
import { freezeStep } from './freeze.js';
import { joinMirrorStep } from './join-mirror.js';
import { removeRootPartitionsStep } from './remove-root-partitions.js';
import { removeStripeStep } from './remove-stripe.js';
import { sendReportStep } from './send-report.js';
import { spinDownStep } from './spin-down.js';
import { startBackuppcStep } from './start-backuppc.js';
import { stopBackuppcStep } from './stop-backuppc.js';
import { stopIdleBackuppcStep } from './stop-idle-backuppc.js';
import { stopStripeStep } from './stop-stripe.js';
import { thawStep } from './thaw.js';
import { verifyAssembleStep } from './verify-assemble.js';
import { verifyCopyStep } from './verify-copy.js';
import { verifyFsckStep } from './verify-fsck.js';
import { verifyReleaseStep } from './verify-release.js';
import { waitCleanStep } from './wait-clean.js';

export { abortSteps } from './abort.js';

/** Verification steps, also run on their own by `baysync verify --set`. */
export const verifySteps: RotationStep[] = [verifyAssembleStep, verifyFsckStep, verifyCopyStep, verifyReleaseStep];

export const normalSteps: RotationStep[] = [
  checkSetStep,
  assembleStripeStep,
  joinMirrorStep,
  addRootPartitionsStep,
  disableDumpsStep,
  stopIdleBackuppcStep,
  waitCleanStep,
  // The root partitions leave first; then the pool is quiesced for the shortest BackupPC window:
  // stop, flush, freeze, split, thaw, restore the include, start.
  removeRootPartitionsStep,
  stopBackuppcStep,
  flushStep,
  freezeStep,
  removeStripeStep,
  thawStep,
  enableDumpsStep,
  startBackuppcStep,
  stopStripeStep,
  ...verifySteps,
  spinDownStep,
  sendReportStep,
];
