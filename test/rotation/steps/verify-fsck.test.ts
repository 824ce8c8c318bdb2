// The verify-fsck step: a read-only loop at the filesystem's offset, recorded before the check
// (so a killed check is found again), the no-modify check, the loop detached; damage reported.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyFsckStep } from '../../../src/rotation/steps/verify-fsck.js';
import { verifyReleaseStep } from '../../../src/rotation/steps/verify-release.js';
import type { Facts } from '../../../src/rotation/types.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, recorded, withStripe } from '../fixtures.js';

const xfs = { type: 'xfs' as const, blockSize: 4096, dataBlocks: 112640, agBlocks: 28160, agCount: 4 };
const facts = (loops: string[] = []): Facts => ({
  ...withStripe(baseFacts()),
  copy: { mounted: false, dataOffset: 2097152, fs: xfs, loops },
});

describe('step verify-fsck (invariant 3: the copy is only read)', () => {
  it('makes a read-only loop at the offset and records it before checking', async () => {
    const c = planCtx({ phase: 'verifying' }, facts());
    const ops = verifyFsckStep.ops!(c);
    expect(ops.map(renderOp)).toEqual(['losetup --find --show --read-only --offset=2097152 -- /dev/md8']);
    const rec = recorded(c, () => ({ stdout: '/dev/loop3\n' }));
    expect(await verifyFsckStep.run(rec.ctx, rec.exec, ops)).toBe('again');
    expect(rec.ctx.r.verifyLoop).toBe('/dev/loop3');
    expect(rec.events.at(-1)).toMatch(/^persist: .*"verifyLoop":"\/dev\/loop3"/);
  });

  it('checks without modification, detaches the loop, and reports damage with the tool own words', async () => {
    const c = planCtx({ phase: 'verifying', verifyLoop: '/dev/loop3' }, facts(['/dev/loop3']));
    const ops = verifyFsckStep.ops!(c);
    expect(ops.map(renderOp)).toEqual(['xfs_repair -n -- /dev/loop3', 'losetup --detach /dev/loop3']);
    const rec = recorded(c, (op) =>
      op.kind === 'run' && op.argv[0] === 'xfs_repair' ? { exitCode: 1, stdout: 'bad magic # for agf 1\n' } : {},
    );
    await verifyFsckStep.run(rec.ctx, rec.exec, ops);
    expect(rec.ctx.r.fsck).toMatchObject({ ok: false, detail: expect.stringMatching(/exit 1.*bad magic/) });
    expect(rec.ctx.r.verifyLoop).toBeUndefined();
  });

  it('the release detaches a loop a killed check left, before stopping the stripe', () => {
    const c = planCtx({ phase: 'verifying' }, { ...facts(['/dev/loop3']), arrays: facts().arrays });
    const ops = verifyReleaseStep.ops!(c).map(renderOp);
    expect(ops[0]).toBe('losetup --detach /dev/loop3');
    expect(ops.at(-1)).toMatch(/^mdadm --stop \/dev\/md8/);
  });

  it('a frozen copy whose log holds changes (xfs_repair -n in the lab) is not conclusive, not damaged', async () => {
    const out = readFileSync(new URL('../../fixtures/lab/xfs-repair-n-frozen-copy.txt', import.meta.url), 'utf8');
    const c = planCtx({ phase: 'verifying', verifyLoop: '/dev/loop0' }, facts(['/dev/loop0']));
    const rec = recorded(c, (op) =>
      op.kind === 'run' && op.argv[0] === 'xfs_repair' ? { exitCode: 1, stdout: out } : {},
    );
    await verifyFsckStep.run(rec.ctx, rec.exec, verifyFsckStep.ops!(c));
    expect(rec.ctx.r.fsck).toMatchObject({
      ok: true,
      conclusive: false,
      detail: expect.stringMatching(/not conclusive/),
    });
  });
});
