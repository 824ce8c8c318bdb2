// Types of the rotation workflow: phases, the persisted rotation record, the facts the
// planner reads, and the steps it plans. Contract: plain data only (JSON-serializable), so the
// state can be persisted atomically and printed by `baysync status --json` / `plan --json`.

import type { PlannedStep as JobPlannedStep } from '../jobs/step.js';
import type { MdArrayState } from '../system/md.js';
import type { FsSuper } from '../system/parsers/fs-superblock.js';
import type { MdExamine } from '../system/parsers/mdadm-export.js';
import type { SpinDownResult } from '../system/power.js';

export type Phase =
  | 'checking'
  | 'assembling'
  | 'joining'
  | 'pausing'
  | 'syncing'
  | 'detaching'
  | 'verifying'
  | 'spinning-down'
  | 'reporting'
  | 'done'
  | 'aborting'
  | 'aborted';

export const normalPhases: Phase[] = [
  'checking',
  'assembling',
  'joining',
  'pausing',
  'syncing',
  'detaching',
  'verifying',
  'spinning-down',
  'reporting',
  'done',
];

export type StepId =
  | 'check-set'
  | 'assemble-stripe'
  | 'join-mirror'
  | 'add-root-partitions'
  | 'disable-dumps'
  | 'stop-idle-backuppc'
  | 'wait-clean'
  | 'remove-root-partitions'
  | 'stop-backuppc'
  | 'flush'
  | 'freeze'
  | 'remove-stripe'
  | 'thaw'
  | 'start-backuppc'
  | 'enable-dumps'
  | 'stop-stripe'
  | 'verify-assemble'
  | 'verify-fsck'
  | 'verify-copy'
  | 'verify-release'
  | 'spin-down'
  | 'send-report'
  | 'abort-thaw'
  | 'abort-remove-root-partitions'
  | 'abort-remove-stripe'
  | 'abort-stop-stripe'
  | 'abort-restore-backuppc'
  | 'abort-report';

export interface MemberRef {
  /** Kernel name at the time it was last seen (names change across boots; devUuid does not). */
  dev: string;
  disk: string;
  devUuid?: string;
}

export interface TimelineEntry {
  phase: Phase;
  at: string; // ISO time the phase was entered
}

export type Outcome = 'success' | 'failed' | 'inconclusive' | 'aborted';

export interface RotationState {
  id: string;
  set: string;
  phase: Phase;
  startedAt: string;
  timeline: TimelineEntry[];
  /** Stripe members of the set (the seed's sdX3). Valid in every phase. */
  members: MemberRef[];
  /** The set's partitions that belong to the root mirror (the seed's sdX1). */
  rootPartitions: MemberRef[];
  /** The md name the stripe is assembled as (config stripe_device). */
  stripeDevice: string;
  /** The set's UUIDs when the rotation started, valid in every phase: a set renamed or removed in
   *  the config mid-rotation is still found, and its partial copy removed by the abort. */
  setIdentity?: { stripeUuid: string; mirrorUuid: string };
  /** The degraded mirror's md name, resolved from its UUID at check time. */
  mirrorDevice?: string;
  rootMirrorDevice?: string;
  /** Set at check time: true when md should re-add into the bitmap (the set was a member before). */
  expectReAdd?: boolean;
  /** Valid from joining on: how the stripe actually joined. */
  joinMode?: 're-add' | 'add';
  /** Valid from joining on: bytes md had to resync (bitmap dirty chunks x chunk size, or the whole array). */
  resyncBytes?: number;
  /** Valid from pausing on (invariant 5): BackupPC as it was before the rotation touched it. */
  backuppc?: {
    controlBefore: string | null;
    serviceWasActive: boolean;
    stoppedForSync?: string; // ISO time BackupPC was stopped to speed the sync
  };
  /** Valid in detaching/aborting: the filesystem may be frozen (persisted before freezing). */
  frozen?: boolean;
  /** Valid in detaching/aborting: the mirror's bitmap time_base before baysync shortened it. */
  bitmapTimeBase?: { mirror: string; seconds: number };
  /** Valid in detaching: read-only remount done instead of fsfreeze. */
  remountedRo?: boolean;
  /** Valid from detaching on: BackupPC stopped/started around the detach, for the window figure. */
  pauseWindow?: { stoppedAt?: string; startedAt?: string; ms?: number };
  syncStartedAt?: string;
  syncEndedAt?: string;
  /** Valid from verifying on. */
  verify?: VerifyResult;
  /** Valid while verifying: the read-only loop device of the filesystem check, and its result. */
  verifyLoop?: string;
  fsck?: FsckResult;
  /** Valid from spinning-down on. */
  spinDown?: SpinDownResult[];
  /** Steps completed (persisted before moving on). */
  done: StepId[];
  /** Set when the rotation is aborting: why. */
  abortReason?: string;
  /** Step failures during an abort (the abort goes on; each is reported). */
  warnings: string[];
  outcome?: Outcome;
  /** Last progress seen while syncing (for status and STATUS=). */
  progress?: { done: number; total: number; speedKps?: number; at: string };
}

/** The filesystem check of a detached copy (xfs_repair -n, e2fsck -fn) on a read-only loop. */
export interface FsckResult {
  tool: string;
  ok: boolean;
  /** False when the tool could not judge the copy (an XFS log it may not replay). */
  conclusive?: boolean;
  detail: string;
}

/** What a verification proved: its verdict, each level's figures, and one line for people. */
export interface VerifyResult {
  /** True only for the verdict 'ok'. */
  ok: boolean;
  /** Records written before issue 11 have none: `ok` then decides. */
  verdict?: 'ok' | 'failed' | 'inconclusive';
  detail: string;
  /** "proved 100 % of 440 MiB block by block ...": the share of the copy proved, as shown. */
  proved?: string;
  sampled: number;
  mismatched: string[];
  markerFound: boolean;
  /** Sampled files not compared (rewritten or moved in the live pool since the detach). */
  skippedFiles?: string[];
  fsck?: FsckResult;
  blocks?: BlockProof;
}

/** The block-level proof of a copy (prove-blocks.ts). */
export interface BlockProof {
  sizeBytes: number;
  chunkBytes: number;
  chunks: number;
  /** Chunks read and found identical, and their bytes. */
  proved: number;
  provedBytes: number;
  /** Chosen chunks left out because the live pool wrote them since the split. */
  skipped: number;
  /** Chunks that differ although the bitmap says they were not written: the copy is damaged. */
  damaged: number[];
  /** Why nothing could be proved, when so. */
  note?: string;
}

export interface HistoryEntry {
  id: string;
  set: string;
  outcome: Outcome;
  startedAt: string;
  endedAt: string;
  resyncBytes?: number;
  joinMode?: 're-add' | 'add';
  pauseWindowMs?: number;
  syncStartedAt?: string;
  syncEndedAt?: string;
  /** The verification's proved share, as the mail gave it. */
  proved?: string;
  summary: string;
}

export interface PersistedState {
  version: 1;
  rotation?: RotationState;
  /** Last rotation per set. */
  lastBySet: Record<string, HistoryEntry>;
  /** Most recent rotations, newest first (bounded). */
  history: HistoryEntry[];
  /** Sets plugged in while another rotation ran (invariant 6), in arrival order. */
  waiting: string[];
  lastReminderAt?: string;
}

export function emptyState(): PersistedState {
  return { version: 1, lastBySet: {}, history: [], waiting: [] };
}

/** A device carrying an md superblock (partition or whole disk). */
export interface Candidate {
  dev: string;
  disk: string;
  sizeBytes: number;
  examine: MdExamine;
}

export interface Facts {
  arrays: MdArrayState[];
  candidates: Candidate[];
  /** Partitions without an md superblock: name and parent disk (for new sets' root partitions). */
  blankPartitions: Array<{ dev: string; disk: string; sizeBytes: number }>;
  /** Undefined when BackupPC control is disabled in the config. */
  backuppc?: { serviceActive: boolean; runningDumps: number };
  /** The md superblock found inside the assembled stripe (which mirror it belongs to, events). */
  stripeContent?: MdExamine | null;
  mountpointMounted: boolean;
  /** Read while verifying: the verification mount left behind, and where the copy's filesystem starts. */
  copy?: {
    mounted: boolean;
    dataOffset?: number;
    /** The copy's filesystem, read at dataOffset. */
    fs?: FsSuper;
    /** Loop devices over the read-only stripe (a filesystem check interrupted). */
    loops: string[];
  };
}

export type PlannedStep = JobPlannedStep<StepId, Phase>;

export type Next =
  | { kind: 'run'; step: PlannedStep }
  | { kind: 'wait'; step: PlannedStep; reason: string }
  | { kind: 'abort'; reason: string }
  | { kind: 'finish'; outcome: Outcome };

export interface Plan {
  phase: Phase;
  steps: PlannedStep[];
  next: Next;
}
