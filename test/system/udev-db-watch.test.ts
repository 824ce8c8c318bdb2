// udev's database watch: which entries wake the daemon, and that a rename into place (how udev
// writes an entry) and a removal are both seen.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { udevEntryDevice, watchUdevBlockEvents } from '../../src/system/udev-db-watch.js';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function setup(): { sysfs: string; data: string } {
  root = mkdtempSync(join(tmpdir(), 'udevdb-'));
  const sysfs = join(root, 'sys');
  mkdirSync(join(sysfs, 'dev/block'), { recursive: true });
  symlinkSync('../../devices/pci0000:00/0000:00:05.0/virtio2/block/vdb/vdb1', join(sysfs, 'dev/block/254:17'));
  symlinkSync('../../devices/virtual/block/loop0', join(sysfs, 'dev/block/7:0'));
  symlinkSync('../../devices/virtual/block/md5', join(sysfs, 'dev/block/9:5'));
  symlinkSync('../../devices/virtual/block/x;y', join(sysfs, 'dev/block/8:99'));
  const data = join(root, 'data');
  mkdirSync(data);
  return { sysfs, data };
}

describe('udevEntryDevice', () => {
  it('names a disk that can hot-plug, and nothing else', () => {
    const { sysfs } = setup();
    expect(udevEntryDevice(sysfs, 'b254:17')).toBe('vdb1');
    expect(udevEntryDevice(sysfs, 'b7:0')).toBeNull(); // loop: the verification's own
    expect(udevEntryDevice(sysfs, 'b9:5')).toBeNull(); // md
    expect(udevEntryDevice(sysfs, 'b8:99')).toBeNull(); // an unsafe name never reaches the daemon
    expect(udevEntryDevice(sysfs, 'c189:1')).toBeNull(); // a character device
    expect(udevEntryDevice(sysfs, 'n3')).toBeNull(); // a network interface
    expect(udevEntryDevice(sysfs, '.#b254:17XYZ')).toBeNull(); // udev's temporary file
    expect(udevEntryDevice(sysfs, 'b8:../../x')).toBeNull();
    expect(udevEntryDevice(sysfs, 'b8:32')).toBeUndefined(); // gone from sysfs: a removal
    expect(udevEntryDevice(sysfs, 'b9:8')).toBeNull(); // an md array stopped: not a hotplug
    expect(udevEntryDevice(sysfs, 'b7:3')).toBeNull(); // a loop device detached
  });
});

describe('watchUdevBlockEvents', () => {
  it('sees an entry renamed into place and its removal; ignores a loop device', async () => {
    const { sysfs, data } = setup();
    const seen: string[] = [];
    const w = watchUdevBlockEvents(
      data,
      sysfs,
      (k, e) => seen.push(`${k ?? '-'} ${e}`),
      (e) => {
        throw e;
      },
    );
    expect(w).toBeDefined();
    writeFileSync(join(data, '.#b7:0abc'), 'x');
    renameSync(join(data, '.#b7:0abc'), join(data, 'b7:0'));
    writeFileSync(join(data, '.#b254:17abc'), 'x');
    renameSync(join(data, '.#b254:17abc'), join(data, 'b254:17'));
    await new Promise((r) => setTimeout(r, 200));
    rmSync(join(sysfs, 'dev/block/254:17'));
    rmSync(join(data, 'b254:17'));
    for (let i = 0; i < 50 && !seen.includes('- b254:17'); i++) await new Promise((r) => setTimeout(r, 20));
    w!.close();
    expect(seen).toContain('vdb1 b254:17');
    expect(seen).toContain('- b254:17');
    expect(seen.some((s) => s.includes('b7:0'))).toBe(false);
  });

  it('a directory that is not there is reported, not thrown', () => {
    const { sysfs } = setup();
    const errors: unknown[] = [];
    expect(
      watchUdevBlockEvents(
        join(root, 'nope'),
        sysfs,
        () => {},
        (e) => errors.push(e),
      ),
    ).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
