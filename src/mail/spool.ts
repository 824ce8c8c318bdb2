// Mail spool (invariant 8): a mail is first written atomically to the spool directory, then
// handed to the transport (sendmail by default, SMTP optional) by a drain that retries with
// exponential backoff. Contract: enqueue() never throws into a workflow (a spool write error is
// logged) and returns at once; a mail leaves the spool only after the transport accepted it;
// a retry timer exists only while the spool is not empty (no idle timers).

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** nodemailer is loaded on first use: an idle daemon does not carry it (about 14 MB of RSS). */
export async function makeTransport(cfg: Config['mail']): Promise<Transporter> {
  const nodemailer = (await import('nodemailer')).default;
  if (cfg.transport === 'smtp') {
    return nodemailer.createTransport({
      host: cfg.smtp.host,
      port: cfg.smtp.port,
      secure: cfg.smtp.secure,
      auth: cfg.smtp.user ? { user: cfg.smtp.user, pass: cfg.smtp.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      ignoreTLS: !cfg.smtp.secure,
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

export class MailSpool {
  private readonly dir: string;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private readonly log = logger().child({ mod: 'mail' });
  /** Called after each successful hand-over (for figures and tests). */
  onSent: (subject: string) => void = () => undefined;

  constructor(
    stateDir: string,
    private readonly cfg: Config['mail'],
    private transport: Transporter | undefined = undefined,
    private readonly now: () => number = Date.now,
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
    void this.drain();
    return entry.id;
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
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as SpoolEntry);
      } catch (e) {
        this.log.warn({ file: n, err: String(e) }, 'unreadable spool entry left in place');
      }
    }
    return out;
  }

  /** Try every due mail once; reschedule the rest. Concurrent calls share one run. */
  drain(): Promise<void> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const due = this.pending().filter((e) => e.nextAttemptAt <= this.now());
    for (const e of due) {
      if (e.nextAttemptAt > this.now()) continue;
      try {
        this.transport ??= await makeTransport(this.cfg);
        await this.transport.sendMail({
          from: e.from,
          to: e.to,
          subject: e.subject,
          text: e.text,
          headers: { 'X-Baysync-Id': e.id },
        });
        rmSync(join(this.dir, `${e.id}.json`), { force: true });
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
        writeFileAtomic(join(this.dir, `${e.id}.json`), JSON.stringify(e));
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.pending().reduce((m, e) => Math.min(m, e.nextAttemptAt), Infinity);
    if (next === Infinity) return;
    this.timer = setTimeout(() => void this.drain(), Math.max(1000, next - this.now()));
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.transport?.close();
  }
}
