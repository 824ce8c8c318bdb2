import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBlockDevices } from '../../src/system/block.js';

describe('block devices from sysfs', () => {
  it('lists disks and partitions with sizes; skips md, loop, optical; rejects odd names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
    const mk = (p: string, size?: number, part?: number): void => {
      mkdirSync(join(root, 'block', p), { recursive: true });
      if (size !== undefined) writeFileSync(join(root, 'block', p, 'size'), `${size}\n`);
      if (part !== undefined) writeFileSync(join(root, 'block', p, 'partition'), `${part}\n`);
    };
    mk('sde', 524288);
    mk('sde/sde1', 65536, 1);
    mk('sde/sde2', 456704, 2);
    mk('sde/holders');
    mk('md5', 899072);
    mk('loop0', 0);
    mk('sr0', 2048);
    mk('sdz;reboot', 8);
    const { devices, rejected } = await listBlockDevices(root);
    expect(devices).toEqual([
      { name: 'sde', type: 'disk', sizeBytes: 524288 * 512 },
      { name: 'sde1', parent: 'sde', type: 'part', sizeBytes: 65536 * 512 },
      { name: 'sde2', parent: 'sde', type: 'part', sizeBytes: 456704 * 512 },
    ]);
    expect(rejected).toEqual(['sdz;reboot']);
    rmSync(root, { recursive: true, force: true });
  });
});
