// `baysync install`'s command: an invalid config still gets the rule (without stripe lines) and
// the words say what was written; a valid one adds the mdadm.conf lines to add.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripesRulePath } from '../../src/cli/install.js';
import { installCommand } from '../../src/cli/install-run.js';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/schema.js';

describe('installCommand', () => {
  it('a config error: the rule without stripe lines, no mdadm lines', async () => {
    const root = mkdtempSync(join(tmpdir(), 'instrun-'));
    const out = await installCommand(
      root,
      async () => {
        throw new ConfigError('t', ['sets.0.stripe_uuid: bad']);
      },
      '/etc/baysync/baysync.toml',
    );
    expect(out).toContain(`wrote ${join(root, stripesRulePath)}`);
    expect(readFileSync(join(root, stripesRulePath), 'utf8')).toContain('# (no sets configured yet)');
    expect(out).not.toContain('mdadm.conf');
    rmSync(root, { recursive: true, force: true });
  });

  it('a valid config: the mdadm.conf lines to add', async () => {
    const root = mkdtempSync(join(tmpdir(), 'instrun-'));
    const text = readFileSync(new URL('../../examples/baysync.toml', import.meta.url), 'utf8');
    const out = await installCommand(root, async () => parseConfigText('t', text), '/etc/baysync/baysync.toml');
    expect(out).toMatch(/make sure \/etc\/mdadm\/mdadm.conf contains[^\n]*\n {2}ARRAY <ignore> UUID=/);
    rmSync(root, { recursive: true, force: true });
  });
});
