// The `baysync copy` subcommands are registered with their options, and load no copy code until
// one runs.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCopy } from '../../src/cli/copy-commands.js';

describe('registerCopy', () => {
  it('adds copy send (--json), copy run (--plan, --clear-guard, --json), copy promote and copy receive, without reading the config', () => {
    const p = new Command();
    let read = 0;
    registerCopy(
      p,
      async () => {
        read++;
        throw new Error('not read at registration');
      },
      () => undefined,
    );
    const copy = p.commands.find((c) => c.name() === 'copy')!;
    expect(copy.commands.map((c) => c.name())).toEqual(['send', 'run', 'promote', 'receive']);
    expect(copy.commands[0]!.options.map((o) => o.long)).toEqual(['--json']);
    expect(copy.commands[1]!.options.map((o) => o.long)).toEqual(['--plan', '--clear-guard', '--json']);
    expect(read).toBe(0);
  });
});
