// check-run.ts as a process is tested in main.test.ts (the built CLI); here, its one-line rule.
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/cli/check-run.js';

describe("a plugin's reason fits its one line", () => {
  it('joins the lines of a multi-line error with "; " (": " after a colon), dropping blank ones and indentation', () => {
    const e = new Error(
      '/etc/baysync/baysync.toml: invalid configuration:\n  - policy.warn_after_days: expected number\n\n',
    );
    expect(oneLine(e)).toBe(
      '/etc/baysync/baysync.toml: invalid configuration: - policy.warn_after_days: expected number',
    );
    expect(oneLine('plain')).toBe('plain');
  });
});
