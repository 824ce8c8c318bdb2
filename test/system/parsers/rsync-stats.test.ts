// Parsers of rsync, ip and ping output, on outputs captured from the real tools
// (test/fixtures/net/README.md lists the commands).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRsyncStats, rsyncExitMeaning } from '../../../src/system/parsers/rsync-stats.js';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/net/${f}`, import.meta.url), 'utf8');

describe('rsync --stats', () => {
  it('a first run: counts, sizes and bytes, thousands separators included', () => {
    expect(parseRsyncStats(fx('rsync-stats-first.txt'))).toEqual({
      files: 5,
      regularFiles: 3,
      created: 4,
      deleted: 1,
      transferred: 3,
      totalSize: 100_004,
      transferredSize: 100_004,
      bytesSent: 100_288,
      bytesReceived: 91,
    });
  });
  it('a dry run with nothing to do', () => {
    expect(parseRsyncStats(fx('rsync-stats-dry-run.txt'))).toMatchObject({
      files: 5,
      created: 0,
      deleted: 0,
      transferred: 0,
    });
  });
  it('the --max-delete stop: exit 25 is a failure with its meaning', () => {
    expect(parseRsyncStats(fx('rsync-stats-max-delete.txt')).deleted).toBe(1);
    expect(fx('rsync-stderr-max-delete.txt')).toContain('(code 25)');
    expect(rsyncExitMeaning(25)).toEqual({ ok: false, text: 'the --max-delete limit stopped deletions' });
    expect(rsyncExitMeaning(24).ok).toBe(true);
    expect(rsyncExitMeaning(255).text).toMatch(/ssh failed/);
  });
});
