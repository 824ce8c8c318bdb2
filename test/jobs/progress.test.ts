import { describe, expect, it } from 'vitest';
import { etaSeconds, formatBytes, formatDuration, formatEta, percent, progressText } from '../../src/jobs/progress.js';

describe('progress', () => {
  it('percent, rate and ETA from md sectors', () => {
    const p = { done: 435_000, total: 1_000_000, speedKps: 114_688 };
    expect(percent(p)).toBeCloseTo(43.5);
    expect(etaSeconds(p)).toBe(2);
    expect(progressText(p)).toBe('43.5%, 112.0 MiB/s, ETA 2s');
    expect(etaSeconds({ done: 0, total: 10 })).toBeUndefined();
    expect(percent({ done: 0, total: 0 })).toBeUndefined();
  });

  it('formats', () => {
    expect(formatEta(192)).toBe('3m12s');
    expect(formatEta(7300)).toBe('2h01m');
    expect(formatBytes(460_324_864)).toBe('439.0 MiB');
    expect(formatBytes(undefined)).toBe('unknown');
    expect(formatDuration(6100)).toBe('6.1 s');
    expect(formatDuration(3_725_000)).toBe('1 h 2 min');
  });
});
