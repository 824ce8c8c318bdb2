import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hangSignature } from '../../../scripts/lab/console.js';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/lab-console', name), 'utf8');

describe('lab console', () => {
  it('a guest whose vCPUs are stuck in a soft lockup at boot is recognised as hung', () => {
    expect(hangSignature(fixture('soft-lockup.txt'))).toBe(
      '[   56.445487] watchdog: BUG: soft lockup - CPU#0 stuck for 45s! [(udev-worker):229]',
    );
  });

  it('a normal boot, md messages included, is not', () => {
    expect(hangSignature(fixture('normal-boot.txt'))).toBeUndefined();
    expect(hangSignature('')).toBeUndefined();
  });
});
