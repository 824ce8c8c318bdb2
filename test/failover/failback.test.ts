import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { failbackArgv } from '../../src/failover/failback.js';

const cfg = parseConfigText(
  'standby.toml',
  readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8'),
);

describe('failback copy', () => {
  it('keeps every file it replaces on A and deletes nothing unless asked', () => {
    const argv = failbackArgv(cfg.realtime!, cfg.failover!, '20261122T100000', false);
    expect(argv).toContain('--backup');
    expect(argv).toContain('--backup-dir=.baysync-failback-20261122T100000');
    expect(argv).not.toContain('--delete');
    expect(argv.at(-1)).toBe('root@10.168.1.1:/');
    expect(failbackArgv(cfg.realtime!, cfg.failover!, 's', true)).toContain('--delete');
  });
});
