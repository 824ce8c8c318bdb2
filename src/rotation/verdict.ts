// The verdict of a verification (issue 11), from its three levels: the filesystem check, the
// block-level proof and the file sample. Contract: pure. FAILED when any level found damage;
// INCONCLUSIVE, never OK, when less than the policy's minimum was proved; the `proved` line
// states the share of the copy proved, for the mail, `baysync status` and `check`.
import type { RotationConfig as Config } from '../config/schema.js';
import { formatBytes } from '../jobs/progress.js';
import type { BlockProof } from './prove-blocks.js';
import type { FsckResult, VerifyResult } from './types.js';
import type { FileCheck } from './verify.js';

const pct = (x: number): string => `${Math.floor(x * 10) / 10} %`;

export function provedLine(b: BlockProof | undefined): string {
  if (!b) return 'block level not run';
  if (b.note) return `block level: nothing proved (${b.note})`;
  const share = b.sizeBytes ? (100 * b.provedBytes) / b.sizeBytes : 0;
  const skipped = b.skipped ? `, ${b.skipped} skipped as rewritten since the split` : '';
  return `proved ${pct(share)} of ${formatBytes(b.sizeBytes)} block by block (${b.proved} of ${b.chunks} chunks of ${formatBytes(b.chunkBytes)} identical${skipped})`;
}

export function verdict(
  cfg: Config,
  parts: { fsck?: FsckResult; blocks?: BlockProof; files: FileCheck },
): VerifyResult {
  const { fsck, blocks, files } = parts;
  const proved = provedLine(blocks);
  const skippedNote = files.skipped.length ? ` (${files.skipped.length} skipped as changed since the detach)` : '';
  const whole = files.wholePool ? `; the whole live pool examined (${files.seen} files)` : '';
  const filesLine = `${files.sampled - files.mismatched.length} sampled files identical${skippedNote}${whole}`;
  const damage: string[] = [];
  if (!files.markerFound) damage.push(`marker directory ${cfg.storage.marker_dir} missing on the copy`);
  if (fsck && !fsck.ok) damage.push(fsck.detail);
  if (blocks?.damaged.length)
    damage.push(
      `${blocks.damaged.length} chunks differ from the live half although the pool did not write them since the split (chunks ${blocks.damaged.slice(0, 10).join(', ')})`,
    );
  if (files.mismatched.length)
    damage.push(`${files.mismatched.length} of ${files.sampled} sampled files differ from the live pool`);
  const short: string[] = [];
  const share = blocks?.sizeBytes ? (100 * blocks.provedBytes) / blocks.sizeBytes : 0;
  if (share < cfg.policy.verify_min_proved_percent)
    short.push(
      `only ${pct(share)} of the copy proved block by block (minimum ${cfg.policy.verify_min_proved_percent} %)`,
    );
  const minFiles = Math.min(cfg.policy.verify_min_files, cfg.policy.verify_sample_files);
  // A pool examined whole has no more files to compare: too few of them older than the detach
  // (a fresh pool with BackupPC writing) leaves the proof to the block level.
  if (files.sampled < minFiles && !files.wholePool)
    short.push(`only ${files.sampled} files compared (minimum ${minFiles})`);
  // Whatever the policy's minimums (0 is allowed), a verification that compared nothing is no proof.
  if (!short.length && !blocks?.provedBytes && files.sampled === 0)
    short.push('nothing was compared, block by block or file by file');
  const v: VerifyResult['verdict'] = damage.length ? 'failed' : short.length ? 'inconclusive' : 'ok';
  const fsLine = fsck ? fsck.detail : 'filesystem check off';
  const detail =
    v === 'failed'
      ? damage.join('; ')
      : v === 'inconclusive'
        ? `${short.join('; ')}; ${proved}; ${filesLine}`
        : `${proved}; ${fsLine}; marker ${cfg.storage.marker_dir} present, ${filesLine}`;
  return {
    ok: v === 'ok',
    verdict: v,
    detail,
    proved,
    sampled: files.sampled,
    mismatched: files.mismatched.slice(0, 20),
    markerFound: files.markerFound,
    skippedFiles: files.skipped.slice(0, 20),
    fsck,
    blocks: blocks && { ...blocks, damaged: blocks.damaged.slice(0, 20) },
  };
}

/** The rotation's outcome from its verification (a record from before issue 11 has only `ok`). */
export function verifyOutcome(v: VerifyResult | undefined): 'success' | 'failed' | 'inconclusive' {
  if (!v) return 'success';
  const verdict = v.verdict ?? (v.ok ? 'ok' : 'failed');
  return verdict === 'ok' ? 'success' : verdict;
}
