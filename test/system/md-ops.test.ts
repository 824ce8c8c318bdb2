import { describe, expect, it } from 'vitest';
import { mdOps } from '../../src/system/md-ops.js';
import { renderOp } from '../../src/system/op.js';

describe('mdOps', () => {
  it('assembles explicitly by UUID from the named devices, never --scan (invariant 2); read-only on request (invariant 3)', () => {
    const uuid = '00000008000000000000000000000008';
    expect(renderOp(mdOps.assemble('md8', uuid, ['sde2', 'sdf2']))).toBe(
      'mdadm --assemble /dev/md8 --uuid=00000008:00000000:00000000:00000008 --run /dev/sde2 /dev/sdf2',
    );
    expect(renderOp(mdOps.assemble('md8', uuid, ['sde2'], { readonly: true }))).toContain(' --readonly --run ');
  });

  it('a re-add may be refused (the step reads its exit code); names are validated (invariant 7)', () => {
    expect(mdOps.reAdd('md5', 'md8')).toMatchObject({
      argv: ['mdadm', '/dev/md5', '--re-add', '/dev/md8'],
      mayFail: true,
    });
    expect(() => mdOps.stop('md8 --zero-superblock', '/sys')).toThrow();
    expect(() => mdOps.add('md5', '../sda')).toThrow();
  });

  it('sysfs writes for the frozen-array release and the bitmap period', () => {
    expect(renderOp(mdOps.unfreeze('/sys', 'md5'))).toBe('echo idle > /sys/block/md5/md/sync_action');
    expect(renderOp(mdOps.setBitmapTimeBase('/sys', 'md5', 1))).toBe('echo 1 > /sys/block/md5/md/bitmap/time_base');
  });
});
