// The bundled modules are pruned of what only their authors use, never of code.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prune } from '../../../scripts/package/prune.js';

describe('prune', () => {
  it('removes tests, docs, VCS files, declarations, maps and licences; keeps the code; drops emptied directories', () => {
    const nm = mkdtempSync(join(tmpdir(), 'prune-'));
    const files = [
      'pino/index.js',
      'pino/lib/tools.js',
      'pino/package.json',
      'pino/index.html',
      'pino/README.md',
      'pino/LICENSE',
      'pino/test/basic.test.js',
      'pino/docs/api.md',
      'pino/.husky/pre-commit',
      'pino/pino.d.ts',
      'pino/lib/tools.js.map',
      'nodemailer/.gitattributes',
      'nodemailer/SECURITY.txt',
      'sonic-boom/types/index.d.ts',
    ];
    for (const f of files) {
      mkdirSync(join(nm, f, '..'), { recursive: true });
      writeFileSync(join(nm, f), 'x');
    }
    prune(nm);
    const left = files.filter((f) => existsSync(join(nm, f)));
    expect(left).toEqual(['pino/index.js', 'pino/lib/tools.js', 'pino/package.json']);
    expect(existsSync(join(nm, 'sonic-boom/types'))).toBe(false);
  });
});
