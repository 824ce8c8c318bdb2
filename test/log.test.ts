import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, journalLine } from '../src/log.js';

describe('journald priorities', () => {
  it('prefixes each line with the syslog priority of its level', () => {
    expect(journalLine('{"level":50,"msg":"boom"}')).toBe('<3>boom');
    expect(journalLine('{"level":40,"msg":"careful","mod":"rotation","set":"A"}')).toBe('<4>rotation: careful set=A');
    expect(journalLine('{"level":30,"msg":"hi","n":3,"o":{"a":1}}')).toBe('<6>hi n=3 o={"a":1}');
    expect(journalLine('{"level":20,"msg":"dbg"}')).toBe('<7>dbg');
  });
  it('quotes values with spaces and keeps one line per record', () => {
    expect(journalLine('{"level":30,"msg":"a\\nb","why":"two words"}')).toBe('<6>a b why="two words"');
  });
  it('a logger in journal mode writes prefixed lines', async () => {
    const lines: string[] = [];
    const l = createLogger({
      journal: true,
      level: 'info',
      destination: new Writable({
        write(c: Buffer, _e, cb) {
          lines.push(c.toString());
          cb();
        },
      }),
    });
    l.warn({ set: 'B' }, 'set waits');
    await new Promise((r) => setTimeout(r, 10));
    expect(lines.join('')).toBe('<4>set waits set=B\n');
  });
});
