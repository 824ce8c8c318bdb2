import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../../src/system/parsers/mountinfo.js';

describe('/proc/self/mountinfo', () => {
  it('mount points with octal escapes, source and fs type', () => {
    const m = parseMountinfo(
      '30 1 9:7 / /var/lib/back\\040uppc rw,relatime shared:1 - xfs /dev/md7 rw,attr2\n31 1 0:5 / /run rw - tmpfs tmpfs rw\n',
    );
    expect(m.map((x) => x.mountpoint)).toEqual(['/var/lib/back uppc', '/run']);
    expect(m[0]).toMatchObject({ fstype: 'xfs', source: '/dev/md7' });
  });
});
