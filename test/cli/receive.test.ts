import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pushRefusal, receive } from '../../src/cli/receive.js';

const dir = () => mkdtempSync(join(tmpdir(), 'recv-'));

describe('baysync receive (the standby refuses pushes after a takeover)', () => {
  it('allows while monitoring or with no record; refuses after a takeover and when the record cannot be read', () => {
    const d = dir();
    expect(pushRefusal(d)).toBeUndefined();
    writeFileSync(join(d, 'failover.json'), JSON.stringify({ version: 1, phase: 'monitoring' }));
    expect(pushRefusal(d)).toBeUndefined();
    for (const phase of ['takeover', 'active', 'failback']) {
      writeFileSync(join(d, 'failover.json'), JSON.stringify({ version: 1, phase }));
      expect(pushRefusal(d)).toMatch(new RegExp(`taken over from the main server \\(failover phase ${phase}\\)`));
    }
    writeFileSync(join(d, 'failover.json'), '{"version": 1, "pha');
    expect(pushRefusal(d)).toMatch(/cannot read .*failover\.json .*refused until it can be read/);
  });

  it('runs rrsync on the directory when allowed, and nothing when refused', async () => {
    const d = dir();
    const fake = join(d, 'rrsync');
    writeFileSync(
      fake,
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(join(d, 'ran'))}, process.argv.slice(2).join(' ') + '\\n');\nprocess.exit(3);\n`,
    );
    chmodSync(fake, 0o755);
    expect(await receive('/srv/copy', { stateDir: d, rrsync: fake })).toBe(3);
    expect(readFileSync(join(d, 'ran'), 'utf8')).toBe('/srv/copy\n');
    writeFileSync(join(d, 'failover.json'), JSON.stringify({ version: 1, phase: 'active' }));
    writeFileSync(join(d, 'ran'), '');
    expect(await receive('/srv/copy', { stateDir: d, rrsync: fake })).toBe(1);
    expect(readFileSync(join(d, 'ran'), 'utf8')).toBe('');
  });
});
