// The verify-copy step's operations: the page cache dropped, then the read-only mount at the offset.
import { describe, expect, it } from 'vitest';
import { verifyCopyStep } from '../../../src/rotation/steps/verify-copy.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, withStripe } from '../fixtures.js';

describe('step verify-copy (invariant 3)', () => {
  it('mounts the copy read-only on a read-only loop at the filesystem offset, then unmounts', () => {
    const c = planCtx(
      { phase: 'verifying' },
      { ...withStripe(baseFacts()), copy: { mounted: false, dataOffset: 2097152, loops: [] } },
    );
    expect(verifyCopyStep.ops!(c).map(renderOp)).toEqual([
      'blockdev --flushbufs /dev/md8 /dev/md3',
      'blockdev --flushbufs /dev/md3',
      'mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=2097152 -- /dev/md8 /run/baysync/verify/A',
      'umount -- /run/baysync/verify/A',
    ]);
  });
});

describe('step verify-copy after a kill mid-verification (found in the lab)', () => {
  it('releases the mount a killed daemon left before mounting again', () => {
    const c = planCtx(
      { phase: 'verifying' },
      { ...withStripe(baseFacts()), copy: { mounted: true, dataOffset: 2097152, loops: [] } },
    );
    expect(verifyCopyStep.ops!(c).map(renderOp)).toEqual([
      'umount -- /run/baysync/verify/A',
      'blockdev --flushbufs /dev/md8 /dev/md3',
      'blockdev --flushbufs /dev/md3',
      'mount -t xfs -o ro,norecovery,nouuid,nodev,nosuid,noexec,loop,offset=2097152 -- /dev/md8 /run/baysync/verify/A',
      'umount -- /run/baysync/verify/A',
    ]);
  });
});
