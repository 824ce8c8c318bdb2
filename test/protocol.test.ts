import { describe, expect, it } from 'vitest';
import { requestSchema } from '../src/protocol.js';

describe('control requests (invariant 7: nothing from a device reaches a command unchecked)', () => {
  it('accepts kernel names and refuses anything else, before any handler runs', () => {
    expect(requestSchema.safeParse({ cmd: 'notify', action: 'add', kernel: 'sde1' }).success).toBe(true);
    for (const kernel of ['sde1;reboot', '../sda', 'sd e', '-rf', 'SDE', ''])
      expect(requestSchema.safeParse({ cmd: 'notify', action: 'add', kernel }).success, kernel).toBe(false);
    expect(requestSchema.safeParse({ cmd: 'md-event', event: 'Fail', device: '/dev/md5' }).success).toBe(true);
    expect(requestSchema.safeParse({ cmd: 'md-event', event: 'Fail; rm', device: '/dev/md5' }).success).toBe(false);
    expect(requestSchema.safeParse({ cmd: 'verify', set: '--all' }).success).toBe(false);
    expect(requestSchema.safeParse({ cmd: 'shell', argv: ['sh'] }).success).toBe(false);
  });
});
