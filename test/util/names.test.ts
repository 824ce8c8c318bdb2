import { describe, expect, it } from 'vitest';
import {
  isKernelName,
  kernelName,
  kernelNameFromPath,
  mdadmUuid,
  normalizeUuid,
  printable,
} from '../../src/util/names.js';

describe('kernel names (invariant 7)', () => {
  it('accepts plain kernel names', () => {
    for (const n of ['sda', 'sdc2', 'md5', 'nvme0n1p1', 'loop0']) expect(kernelName(n)).toBe(n);
  });
  it('rejects anything that could reach a shell or a path', () => {
    for (const n of ['', 'sda;reboot', '../sda', 'sd a', 'SDA', 'sda\n', '$(id)', 'sd`x`', 'a'.repeat(40), 'md/5']) {
      expect(isKernelName(n)).toBe(false);
      expect(() => kernelName(n)).toThrow(/only \[a-z0-9\] kernel names/);
    }
  });
  it('strips /dev/ but nothing else', () => {
    expect(kernelNameFromPath('/dev/loop3')).toBe('loop3');
    expect(() => kernelNameFromPath('/dev/mapper/x-y')).toThrow();
  });
  it('renders device-supplied strings printable and bounded', () => {
    expect(printable('WD\x00\x1b[31mRED\u00e9')).toBe('WD??[31mRED?');
    expect(printable('x'.repeat(100)).length).toBe(65);
  });
});

describe('md UUIDs', () => {
  it('normalizes mdadm and blkid forms to one', () => {
    const a = normalizeUuid('4F1B2C3D:5E6F7A8B:9C0D1E2F:3A4B5C6D');
    expect(a).toBe('4f1b2c3d5e6f7a8b9c0d1e2f3a4b5c6d');
    expect(normalizeUuid('4f1b2c3d-5e6f-7a8b-9c0d-1e2f3a4b5c6d')).toBe(a);
    expect(mdadmUuid(a)).toBe('4f1b2c3d:5e6f7a8b:9c0d1e2f:3a4b5c6d');
  });
  it('rejects non-UUIDs', () => {
    expect(() => normalizeUuid('abc')).toThrow(/not an md UUID/);
  });
});
