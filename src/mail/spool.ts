// Mail spool (invariant 8): a mail is first written atomically to the spool directory, then
// handed to the transport (sendmail by default, SMTP optional) by a drain that retries with
// exponential backoff. Contract: enqueue() and drain() never throw into a workflow (a spool write
// error, a full disk, is logged); a mail leaves the spool only after the transport accepted it;
// a hand-over that does not end within sendTimeoutMs counts as failed; an entry that is not a
// well-formed mail is moved to mail/quarantine/ and said once; the spool keeps at most
// maxSpooled mails (the oldest beyond that are dropped, each with an error naming its subject);
// a retry timer exists only while the spool is not empty (no idle timers).

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/schema.js';
import { logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface MailMessage {
  subject: string;
  text: string;
}

interface SpoolEntry {
  id: string;
  createdAt: string;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
}

/** The SMTP password from the config or its own file (first line, read at each hand-over). */
export function smtpPassword(smtp: Config['mail']['smtp']): string {
  if (!smtp.password_file) return smtp.password ?? '';
  return (readFileSync(smtp.password_file, 'utf8').split('\n')[0] ?? '').trimEnd();
}

/** nodemailer is loaded on first use: an idle daemon does not carry it (about 14 MB of RSS). */
export async function makeTransport(cfg: Config['mail']): Promise<Transporter> {
  const nodemailer = (await import('nodemailer')).default;
  if (cfg.transport === 'smtp') {
    return nodemailer.createTransport({
      host: cfg.smtp.host,
      port: cfg.smtp.port,
      secure: cfg.smtp.secure,
      auth: cfg.smtp.user ? { user: cfg.smtp.user, pass: smtpPassword(cfg.smtp) } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      requireTLS: cfg.smtp.require_tls,
      ignoreTLS: !cfg.smtp.secure && !cfg.smtp.require_tls,
    });
  }
  // -odi: the MTA delivers (or queues for its own retries) before sendmail returns. With the
  // default background delivery, exim forks a delivery child into baysync's cgroup, and a daemon
  // crash right after the hand-over took the child with it: the mail then sat in exim's queue
  // until its next queue run (seen in the lab, sigkill-each-phase). Postfix ignores -o options.
  return nodemailer.createTransport({
    sendmail: true,
    path: cfg.sendmail_path,
    newline: 'unix',
    args: ['-odi', '-f', qualifyAddress(cfg.from)],
  });
}

/**
 * A bare local part ("root") is qualified as root@localhost: nodemailer drops addresses without
 * a domain (it then calls sendmail with no recipient, which fails), and every Debian MTA treats
 * localhost as local.
 */
export function qualifyAddress(addr: string): string {
  return addr.includes('@') ? addr : `${addr}@localhost`;
}

const minBackoffMs = 30_000;
const maxBackoffMs = 3600_000;
export const maxSpooled = 500;

/** A spool file is a mail only with these fields of these types; anything else is quarantined. */
function wellFormed(e: unknown): e is SpoolEntry {
  const x = e as Partial<SpoolEntry> | null;
  return Boolean(
    x &&
      typeof x.id === 'string' &&
      /^[A-Za-z0-9-]+$/.test(x.id) &&
      typeof x.createdAt === 'string' &&
      Number.isFinite(Date.parse(x.createdAt)) &&
      Number.isFinite(x.attempts) &&
      Number.isFinite(x.nextAttemptAt) &&
      Array.isArray(x.to) &&
      x.to.every((t) => typeof t === 'string') &&
      typeof x.from === 'string' &&
      typeof x.subject === 'string' &&
      typeof x.text === 'string',
  );
}

export class MailSpool {
  private readonly dir: string;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private readonly log = logger().child({ mod: 'mail' });
  /** Retry times that could not be written (a full disk): kept in memory, so such a mail is not
   *  due again at once. */
  private readonly retryAt = new Map<string, number>();
  private dueAt = (e: SpoolEntry): number => Math.max(e.nextAttemptAt, this.retryAt.get(e.id) ?? 0);
  /** Called after each successful hand-over (for figures and tests). */
  onSent: (subject: string) => void = () => undefined;

  constructor(
    stateDir: string,
    private readonly cfg: Config['mail'],
    private transport: Transporter | undefined = undefined,
    private readonly now: () => number = Date.now,
    private readonly sendTimeoutMs = cfg.timeout_seconds * 1000,
  ) {
    this.dir = join(stateDir, 'mail');
  }

  /** Spool a mail and start a drain; never throws. Returns the spool id (undefined if spooling failed). */
  enqueue(msg: MailMessage): string | undefined {
    const entry: SpoolEntry = {
      id: `${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
      createdAt: new Date(this.now()).toISOString(),
      attempts: 0,
      nextAttemptAt: 0,
      to: this.cfg.to.map(qualifyAddress),
      from: qualifyAddress(this.cfg.from),
      subject: msg.subject,
      text: msg.text,
    };
    try {
      writeFileAtomic(join(this.dir, `${entry.id}.json`), JSON.stringify(entry));
    } catch (e) {
      this.log.error(
        { err: String(e), subject: msg.subject },
        'cannot write the mail spool; the report is only in the journal',
      );
      this.log.info({ text: msg.text }, msg.subject);
      return undefined;
    }
    this.capSpool();
    void this.drain();
    return entry.id;
  }

  /** At most maxSpooled mails: the oldest beyond that are dropped, each said with its subject. */
  private capSpool(): void {
    const all = this.pending();
    for (const e of all.slice(0, Math.max(0, all.length - maxSpooled))) {
      rmSync(join(this.dir, `${e.id}.json`), { force: true });
      this.log.error(
        { subject: e.subject, createdAt: e.createdAt, lastError: e.lastError },
        `mail spool full (${maxSpooled} mails): dropped the oldest, "${e.subject}"; check the mail transport`,
      );
    }
  }

  pending(): SpoolEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      return [];
    }
    const out: SpoolEntry[] = [];
    for (const n of names.sort()) {
      let e: unknown;
      try {
        e = JSON.parse(readFileSync(join(this.dir, n), 'utf8'));
      } catch (err) {
        e = String(err);
      }
      if (wellFormed(e) && `${e.id}.json` === n) out.push(e);
      else this.quarantine(n);
    }
    return out;
  }

  /** A spool file that is not a mail: kept aside for the operator, never retried. */
  private quarantine(name: string): void {
    try {
      mkdirSync(join(this.dir, 'quarantine'), { recursive: true, mode: 0o700 });
      renameSync(join(this.dir, name), join(this.dir, 'quarantine', name));
      this.log.error(
        { file: name },
        `mail spool entry ${name} is not a well-formed mail; moved to ${join(this.dir, 'quarantine')}`,
      );
    } catch (err) {
      this.log.error({ file: name, err: String(err) }, 'cannot move a malformed spool entry aside');
    }
  }

  /** Try every due mail once; reschedule the rest. A call during a run makes one more run after
   *  it (the running one may have listed the spool before that call's mail). Never rejects. */
  drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainOnce()
      .catch((e: unknown) => this.log.error({ err: String(e) }, 'mail spool drain failed; the next one retries'))
      .finally(() => {
        this.draining = undefined;
        if (this.drainAgain) {
          this.drainAgain = false;
          void this.drain();
        }
      });
    return this.draining;
  }

  /** sendMail, given up after sendTimeoutMs (a hung sendmail must not hold every later mail). */
  private send(transport: Transporter, e: SpoolEntry): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the mail transport did not answer within ${this.sendTimeoutMs / 1000} s`)),
        this.sendTimeoutMs,
      );
    });
    const mail = { from: e.from, to: e.to, subject: e.subject, text: e.text, headers: { 'X-Baysync-Id': e.id } };
    return Promise.race([transport.sendMail(mail), timeout]).finally(() => clearTimeout(timer));
  }

  private async drainOnce(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const due = this.pending().filter((e) => this.dueAt(e) <= this.now());
    for (const e of due) {
      try {
        this.transport ??= await makeTransport(this.cfg);
        await this.send(this.transport, e);
        rmSync(join(this.dir, `${e.id}.json`), { force: true });
        this.retryAt.delete(e.id);
        this.log.info({ subject: e.subject, attempts: e.attempts + 1 }, 'mail handed to the transport');
        this.onSent(e.subject);
      } catch (err) {
        e.attempts += 1;
        e.lastError = String(err).slice(0, 500);
        const ageH = (this.now() - Date.parse(e.createdAt)) / 3600_000;
        e.nextAttemptAt = this.now() + Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(e.attempts - 1, 10));
        if (ageH > this.cfg.retry_hours) {
          this.log.error(
            { subject: e.subject, err: e.lastError },
            `mail undeliverable for ${this.cfg.retry_hours} h; still kept in the spool, check the mail transport`,
          );
        } else {
          this.log.warn(
            { subject: e.subject, attempts: e.attempts, err: e.lastError },
            'mail transport failed; will retry',
          );
        }
        try {
          writeFileAtomic(join(this.dir, `${e.id}.json`), JSON.stringify(e));
          this.retryAt.delete(e.id);
        } catch (werr) {
          this.retryAt.set(e.id, e.nextAttemptAt);
          // A full disk: the entry keeps its previous retry time; the timer below tries again.
          this.log.error({ subject: e.subject, err: String(werr) }, 'cannot update the mail spool entry');
        }
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.pending().reduce((m, e) => Math.min(m, this.dueAt(e)), Infinity);
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => void this.drain(), Math.max(1000, next - this.now()));
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.transport?.close();
  }
}
