// The verification's verdict from its three levels: FAILED on any damage, INCONCLUSIVE (never OK)
// when less than the policy's minimum was proved, and the proved share in words.
import { describe, expect, it } from 'vitest';
import type { BlockProof } from '../../src/rotation/prove-blocks.js';
import { verdict, verifyOutcome } from '../../src/rotation/verdict.js';
import { cfg } from './fixtures.js';

const MiB = 1024 * 1024;
const blocks = (over: Partial<BlockProof> = {}): BlockProof => ({
  sizeBytes: 440 * MiB,
  chunkBytes: MiB,
  chunks: 440,
  proved: 437,
  provedBytes: 437 * MiB,
  skipped: 3,
  damaged: [],
  ...over,
});
const files = {
  markerFound: true,
  sampled: 20,
  mismatched: [],
  skipped: ['pc/host/1/attrib'],
  wholePool: false,
  seen: 5000,
};
const fsck = { tool: 'xfs_repair -n', ok: true, detail: 'xfs_repair -n: clean' };

describe('verdict', () => {
  it('OK states the share of the copy proved, the chunks skipped and the files left out', () => {
    const v = verdict(cfg, { fsck, blocks: blocks(), files });
    expect(v.verdict).toBe('ok');
    expect(v.proved).toBe(
      'proved 99.3 % of 440.0 MiB block by block (437 of 440 chunks of 1.0 MiB identical, 3 skipped as rewritten since the split)',
    );
    expect(v.detail).toContain('20 sampled files identical (1 skipped as changed since the detach)');
    expect(verifyOutcome(v)).toBe('success');
  });

  it('never says OK having proved nothing: no block proof, or too few files, is INCONCLUSIVE', () => {
    const none = verdict(cfg, { fsck, blocks: undefined, files });
    expect(none.verdict).toBe('inconclusive');
    expect(none.ok).toBe(false);
    const noBitmap = verdict(cfg, { fsck, blocks: blocks({ proved: 0, provedBytes: 0, note: 'no bitmap' }), files });
    expect(noBitmap.verdict).toBe('inconclusive');
    const fewFiles = verdict(cfg, { fsck, blocks: blocks(), files: { ...files, sampled: 0 } });
    expect(fewFiles.verdict).toBe('inconclusive');
    expect(fewFiles.detail).toMatch(/only 0 files compared \(minimum 1\)/);
    expect(verifyOutcome(fewFiles)).toBe('inconclusive');
    const little = verdict(cfg, { fsck, blocks: blocks({ provedBytes: 100 * MiB, proved: 100 }), files });
    expect(little.detail).toMatch(/only 22.7 % of the copy proved block by block \(minimum 50 %\)/);
  });

  it('never OK having compared nothing, even with both minimums set to 0 in the config', () => {
    const lax = { ...cfg, policy: { ...cfg.policy, verify_min_proved_percent: 0, verify_min_files: 0 } };
    const v = verdict(lax, { fsck, blocks: undefined, files: { ...files, sampled: 0 } });
    expect(v.verdict).toBe('inconclusive');
    expect(v.detail).toMatch(/nothing was compared/);
    expect(verdict(lax, { fsck, blocks: blocks(), files: { ...files, sampled: 0 } }).verdict).toBe('ok');
  });

  it('a pool examined whole with no file older than the detach leaves the proof to the block level', () => {
    const fresh = { ...files, sampled: 0, skipped: ['log/LOG', 'pc/localhost/LOCK'], wholePool: true, seen: 2 };
    const v = verdict(cfg, { fsck, blocks: blocks(), files: fresh });
    expect(v.verdict).toBe('ok');
    expect(v.detail).toContain(
      '0 sampled files identical (2 skipped as changed since the detach); the whole live pool examined (2 files)',
    );
    expect(verdict(cfg, { fsck, blocks: undefined, files: fresh }).verdict).toBe('inconclusive');
  });

  it('damage on any level fails, and outranks too little proved', () => {
    expect(verdict(cfg, { fsck, blocks: blocks({ damaged: [5] }), files }).detail).toMatch(
      /1 chunks differ .*chunks 5/,
    );
    expect(verdict(cfg, { fsck: { ...fsck, ok: false, detail: 'bad agf' }, blocks: blocks(), files }).verdict).toBe(
      'failed',
    );
    expect(verdict(cfg, { fsck, blocks: undefined, files: { ...files, markerFound: false } }).verdict).toBe('failed');
    const f = verdict(cfg, { fsck, blocks: blocks(), files: { ...files, mismatched: ['pc/a'] } });
    expect(verifyOutcome(f)).toBe('failed');
  });

  it('a record from before the verdict existed keeps its meaning', () => {
    expect(verifyOutcome({ ok: false, detail: '', sampled: 0, mismatched: [], markerFound: true })).toBe('failed');
    expect(verifyOutcome({ ok: true, detail: '', sampled: 3, mismatched: [], markerFound: true })).toBe('success');
  });
});
