// The no-modify checks' verdicts, on outputs captured from the real tools: clean, an XFS copy
// whose log holds changes (not conclusive, never damage), and a damaged ext4 (its findings on
// one line, without the pass headings).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fsckVerdict } from '../../../src/system/parsers/fsck-output.js';

const fixture = (p: string): string => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');

describe('fsckVerdict', () => {
  it('exit 0 is clean', () => {
    expect(fsckVerdict('ext4', 0, '')).toEqual({ tool: 'e2fsck -fn', ok: true, detail: 'e2fsck -fn: clean' });
  });

  it("an XFS log with changes is not conclusive, not damage (the lab's frozen copy)", () => {
    const v = fsckVerdict('xfs', 1, fixture('lab/xfs-repair-n-frozen-copy.txt'));
    expect(v).toMatchObject({ tool: 'xfs_repair -n', ok: true, conclusive: false });
    expect(v.detail).toMatch(/^xfs_repair -n: not conclusive, the log holds metadata changes/);
  });

  it('damage is named with the first findings, without headings or the "? no" answers', () => {
    const v = fsckVerdict('ext4', 4, fixture('fs/e2fsck-fn-damaged.txt'));
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^e2fsck -fn found damage \(exit 4\): Inode 12 has corrupt extent header\./);
    expect(v.detail).not.toMatch(/Pass \d|e2fsck 1\.47|\? no/);
    expect(v.detail).toMatch(/ \/ Inode 2 ref count is 7, should be 3\.$/); // the sixth, the last kept
  });
});
