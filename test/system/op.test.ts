import { describe, expect, it } from 'vitest';
import { file, opKey, renderOp, run, write } from '../../src/system/op.js';

describe('operations as data', () => {
  it('render as the operator reads them in `baysync plan`', () => {
    expect(renderOp(run(['mdadm', '--stop', '/dev/md8'], 1))).toBe('mdadm --stop /dev/md8');
    expect(renderOp(run(['mdadm', '/dev/md5', '--add', '/dev/md8'], 1, { fallback: true }))).toBe(
      '(if that fails) mdadm /dev/md5 --add /dev/md8',
    );
    expect(renderOp(write('/sys/block/md5/md/sync_action', 'idle'))).toBe('echo idle > /sys/block/md5/md/sync_action');
    expect(renderOp(file('/etc/x.pl', 'line one\nline two\n'))).toBe('write /etc/x.pl: line one');
  });

  it('are the same operation when their effect is the same, whatever their timeout', () => {
    expect(opKey(run(['sync'], 1))).toBe(opKey(run(['sync'], 2)));
    expect(opKey(file('/etc/x', 'a'))).not.toBe(opKey(file('/etc/x', 'b')));
  });
});
