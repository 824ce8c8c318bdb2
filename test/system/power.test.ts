import { describe, expect, it } from 'vitest';
import { spinDownOps, spinDownResult } from '../../src/system/power.js';
import type { RunResult } from '../../src/system/runner.js';

const res = (exitCode: number, stderr = ''): RunResult => ({ argv: [], exitCode, stdout: '', stderr, durationMs: 0 });

describe('spin-down', () => {
  it('hdparm that exits 0 with SG_IO errors did not stop the disk; sdparm did', () => {
    expect(spinDownResult('sde', res(0, 'SG_IO: bad/missing sense data'), res(0), res(0))).toEqual({
      disk: 'sde',
      stoppedBy: 'sdparm',
      deleted: true,
    });
    expect(spinDownResult('sde', res(0), res(0), res(1))).toEqual({ disk: 'sde', stoppedBy: 'hdparm', deleted: false });
  });

  it('a disk neither stopped nor detached is an error that says not to pull it', () => {
    expect(() => spinDownResult('sde', res(1), res(1), res(1))).toThrow(/do not pull it/);
  });

  it('the three operations, each allowed to fail', () => {
    expect(spinDownOps('/sys', 'sde').every((o) => o.mayFail)).toBe(true);
    expect(() => spinDownOps('/sys', 'sde/../sda')).toThrow();
  });
});
