// Logging: pino to stdout. Under systemd (JOURNAL_STREAM set) every line starts with a
// single-digit syslog priority prefix (<3> error, <4> warn, <6> info, <7> debug) so that
// `journalctl -u baysync -p warning` filters correctly. On a terminal, lines are plain text
// (`warning: mod: message key=value`); elsewhere (a pipe, a file) they stay pino JSON for
// machines. Contract: logger() is the one logger; child loggers carry a `mod` field naming the module.

import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const priorityByLevel: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

const wordByLevel: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

/** `mod: message key=value …` of one parsed pino record (fields after the message, as daemons do). */
function body(rec: Record<string, unknown>): string {
  const { level: _l, msg, mod, time: _t, ...rest } = rec;
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
  const head = mod ? `${String(mod)}: ` : '';
  return `${head}${String(msg ?? '')}${extras ? ` ${extras}` : ''}`.replace(/\n/g, ' ');
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/**
 * Turn one pino JSON line into a journal line: `<N>mod: message key=value …`. The priority
 * prefix comes from the numeric level. Exported for tests.
 */
export function journalLine(line: string): string {
  const rec = parse(line);
  return rec ? `<${priorityByLevel[Number(rec.level)] ?? 6}>${body(rec)}` : `<6>${line}`;
}

/** One pino JSON line as a terminal reads it: `warning: mod: message key=value …`. Exported for tests. */
export function textLine(line: string): string {
  const rec = parse(line);
  return rec ? `${wordByLevel[Number(rec.level)] ?? 'info'}: ${body(rec)}` : line;
}

function lineStream(out: NodeJS.WritableStream, format: (line: string) => string): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        out.write(`${format(pending.slice(0, nl))}\n`);
        pending = pending.slice(nl + 1);
      }
      cb();
    },
  });
}

let root: Logger | undefined;

export function createLogger(
  opts: { level?: string; journal?: boolean; text?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const journal = opts.journal ?? Boolean(process.env.JOURNAL_STREAM);
  // Commands other than the daemon log to stderr, so their stdout stays their answer.
  const dest = opts.destination ?? (process.env.BAYSYNC_LOG_TO === 'stderr' ? process.stderr : process.stdout);
  const base = { level: opts.level ?? process.env.BAYSYNC_LOG_LEVEL ?? 'info', base: undefined, timestamp: !journal };
  if (journal) return pino(base, lineStream(dest, journalLine));
  const text = opts.text ?? Boolean((dest as NodeJS.WriteStream).isTTY);
  return text ? pino(base, lineStream(dest, textLine)) : pino(base, dest as pino.DestinationStream);
}

export function logger(): Logger {
  root ??= createLogger();
  return root;
}

export function setLogger(l: Logger): void {
  root = l;
}
