// Completeness against the schema is checked in manpage.test.ts; here, the texts themselves.
import { describe, expect, it } from 'vitest';
import { keyDocs, sectionDocs } from '../../src/config/key-docs.js';

describe('the configuration key descriptions', () => {
  it('are plain ASCII sentences (a man page source), each ending with a full stop', () => {
    for (const [k, v] of [...Object.entries(keyDocs), ...Object.entries(sectionDocs)]) {
      expect(v, k).toMatch(/^[\x20-\x7e]+\.$/);
      expect(v, k).not.toMatch(/\bseed 0\d\d\b|\bissue \d/);
    }
  });
});
