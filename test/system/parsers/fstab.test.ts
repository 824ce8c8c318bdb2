// fstab(5) parsing: comments and blank lines skipped, octal escapes decoded, swap and "none"
// left out; the deepest mount point above a path.
import { describe, expect, it } from 'vitest';
import { fstabMountAbove, parseFstab } from '../../../src/system/parsers/fstab.js';

// The shape Debian's installer writes, plus an escaped mount point and a bind mount.
const text = `# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
UUID=6a0e3b7e-3f7e-4a40-9f62-1c2d3e4f5a6b /               ext4    errors=remount-ro 0       1
UUID=0c9f6e02-1d6a-4c3e-b1a5-7e8f9a0b1c2d /home           xfs     defaults        0       2
/dev/md7 /var/lib/backuppc xfs defaults,nofail 0 2
/srv/My\\040Data /srv/share none bind 0 0
UUID=9b1f-2c3d none swap sw 0 0
tmpfs	/tmp	tmpfs	nosuid,nodev	0	0
broken-line
`;

describe('parseFstab', () => {
  it('reads every mount with a path, decodes escapes, skips swap and malformed lines', () => {
    const e = parseFstab(text);
    expect(e.map((x) => x.mountpoint)).toEqual(['/', '/home', '/var/lib/backuppc', '/srv/share', '/tmp']);
    expect(e[2]).toEqual({
      spec: '/dev/md7',
      mountpoint: '/var/lib/backuppc',
      fstype: 'xfs',
      options: ['defaults', 'nofail'],
    });
    expect(e[3]?.spec).toBe('/srv/My Data');
  });
});

describe('fstabMountAbove', () => {
  const e = parseFstab(text);
  it('the deepest mount point holding the path, never /', () => {
    expect(fstabMountAbove(e, '/home/alice/project')?.mountpoint).toBe('/home');
    expect(fstabMountAbove(e, '/var/lib/backuppc/')?.mountpoint).toBe('/var/lib/backuppc');
    expect(fstabMountAbove(e, '/var/lib/backuppcx')).toBeUndefined();
    expect(fstabMountAbove(e, '/etc')).toBeUndefined();
  });
});
