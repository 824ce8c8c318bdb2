import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/schema.js';

describe('loading the config', () => {
  it('a TOML syntax error names the file and the line, and changes nothing', () => {
    const e = (() => {
      try {
        parseConfigText('/etc/baysync/baysync.toml', '[storage]\nmountpoint = "/x\n');
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e?.message).toMatch(/baysync\.toml.*line 2/s);
  });

  it('a missing file says which file', () => {
    expect(() => loadConfig('/nonexistent/baysync.toml')).toThrow(/\/nonexistent\/baysync\.toml/);
  });
});
