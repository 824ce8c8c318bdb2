import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, journalLine, textLine } from '../src/log.js';

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

describe('on a terminal', () => {
  it('a line is plain text with its level word, not JSON', () => {
    expect(textLine('{"level":40,"time":1,"msg":"careful","mod":"rotation","set":"A"}')).toBe(
      'warning: rotation: careful set=A',
    );
    expect(textLine('{"level":50,"msg":"boom"}')).toBe('error: boom');
    expect(textLine('not json')).toBe('not json');
  });
  it('a logger writing to a TTY writes text; to a pipe, JSON', async () => {
    const out = (tty: boolean) => {
      const lines: string[] = [];
      const dest = Object.assign(
        new Writable({
          write(c: Buffer, _e, cb) {
            lines.push(c.toString());
            cb();
          },
        }),
        { isTTY: tty },
      );
      createLogger({ journal: false, level: 'info', destination: dest }).warn({ set: 'B' }, 'set waits');
      return lines;
    };
    const [tty, pipe] = [out(true), out(false)];
    await new Promise((r) => setTimeout(r, 10));
    expect(tty.join('')).toBe('warning: set waits set=B\n');
    expect(JSON.parse(pipe.join(''))).toMatchObject({ level: 40, msg: 'set waits', set: 'B' });
  });
});
