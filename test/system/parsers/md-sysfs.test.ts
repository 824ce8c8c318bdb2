// Parsers against outputs captured from the real tools in the lab (test/fixtures/lab/README.md
// lists the command that produced each file).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDevState, parseSyncCompleted } from '../../../src/system/parsers/md-sysfs.js';

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/lab/${name}.txt`, import.meta.url), 'utf8');

describe('md sysfs (lab)', () => {
  it('sysfs while recovering and when clean', () => {
    expect(parseSyncCompleted('506880 / 899072')).toEqual({ done: 506880, total: 899072 });
    expect(fx('sysfs-md5-recovering')).toContain('sync_completed=506880 / 899072');
    expect(fx('sysfs-md5-recovering')).toContain('dev-md8/state=spare');
    expect(parseDevState('spare')).toEqual(['spare']);
    const clean = fx('sysfs-md5-clean');
    expect(clean).toContain('sync_action=idle');
    expect(clean).toContain('degraded=0');
    expect(clean).toMatch(/sync_completed=none/);
    expect(parseSyncCompleted('none')).toBeUndefined();
  });
});
