// Logging: pino to stdout. Under systemd (JOURNAL_STREAM set) every line starts with a
// single-digit syslog priority prefix (<3> error, <4> warn, <6> info, <7> debug) so that
// `journalctl -u baysync -p warning` filters correctly. Contract: logger() is the one logger;
// child loggers carry a `mod` field naming the module.

import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const priorityByLevel: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

/**
 * Turn one pino JSON line into a journal line: `<N>mod: message key=value …`. The priority
 * prefix comes from the numeric level; other fields follow the message so that the journal
 * reads like any other daemon's. Exported for tests.
 */
export function journalLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `<6>${line}`;
  }
  const prio = priorityByLevel[Number(rec.level)] ?? 6;
  const { level: _l, msg, mod, time: _t, ...rest } = rec;
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
  const head = mod ? `${String(mod)}: ` : '';
  return `<${prio}>${head}${String(msg ?? '')}${extras ? ` ${extras}` : ''}`.replace(/\n/g, ' ');
}

function journalStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        out.write(`${journalLine(pending.slice(0, nl))}\n`);
        pending = pending.slice(nl + 1);
      }
      cb();
    },
  });
}

let root: Logger | undefined;

export function createLogger(
  opts: { level?: string; journal?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const journal = opts.journal ?? Boolean(process.env.JOURNAL_STREAM);
  // Commands other than the daemon log to stderr, so their stdout stays their answer.
  const dest = opts.destination ?? (process.env.BAYSYNC_LOG_TO === 'stderr' ? process.stderr : process.stdout);
  const base = { level: opts.level ?? process.env.BAYSYNC_LOG_LEVEL ?? 'info', base: undefined, timestamp: !journal };
  return journal ? pino(base, journalStream(dest)) : pino(base, dest as pino.DestinationStream);
}

export function logger(): Logger {
  root ??= createLogger();
  return root;
}

export function setLogger(l: Logger): void {
  root = l;
}
