// Loading the config file: read, parse TOML (smol-toml), validate (schema.ts).
// Contract: loadConfig() returns a Config or throws ConfigError naming the file, the line
// (for TOML syntax errors) or key path, and what was expected. It never writes anything.
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { defaultConfigPath } from '../paths.js';
import { type Config, ConfigError, parseConfig } from './schema.js';

export { defaultConfigPath };

export function parseConfigText(file: string, text: string): Config {
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    if (e instanceof TomlError)
      throw new ConfigError(file, [
        `line ${e.line}, column ${e.column}: TOML syntax error: ${e.message.split('\n')[0]}`,
      ]);
    throw e;
  }
  return parseConfig(file, data);
}

export function loadConfig(file = defaultConfigPath): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === 'ENOENT'
        ? 'file not found; copy /usr/share/doc/baysync/examples/baysync.toml there and edit it'
        : `cannot read: ${String(e)}`,
    ]);
  }
  return parseConfigText(file, text);
}
