import { describe, expect, it } from 'vitest';
import { mailText, timelineLines, wrap } from '../../src/jobs/report.js';

describe('report mail', () => {
  it('wraps at the last space, keeping the indentation, so the mail stays 7bit', () => {
    expect(wrap('short', 76)).toEqual(['short']);
    expect(wrap('  label:        a long value that goes on and on', 30)).toEqual([
      '  label:        a long value',
      '    that goes on and on',
    ]);
    expect(mailText(['a', 'b'])).toBe('a\nb\n');
  });

  it('the timeline gives each phase with how long it lasted', () => {
    const tl = [
      { phase: 'checking', at: '2026-11-22T10:00:00.000Z' },
      { phase: 'syncing', at: '2026-11-22T10:00:05.000Z' },
    ];
    expect(timelineLines({ timeline: tl }, '2026-11-22T10:02:05.000Z')).toEqual([
      '  2026-11-22 10:00:00  checking       5.0 s',
      '  2026-11-22 10:00:05  syncing        2 min 0 s',
    ]);
  });
});
