import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { MailSpool, makeTransport, maxSpooled, qualifyAddress, smtpPassword } from '../../src/mail/spool.js';
import { TestSmtp } from '../helpers/smtp.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cfgFor(port: number) {
  return parseConfigText(
    't',
    `[storage]\ntop_mirror_uuid = "00000001:00000000:00000000:00000001"\nmountpoint = "/x"\n[[sets]]\nname = "A"\nstripe_uuid = "00000002:00000000:00000000:00000002"\nmirror_uuid = "00000003:00000000:00000000:00000003"\nstripe_device = "md8"\n[mail]\nto = ["root"]\ntransport = "smtp"\n[mail.smtp]\nhost = "127.0.0.1"\nport = ${port}\n`,
  ).mail;
}

describe('mail spool', () => {
  it('hands mail to sendmail for foreground delivery (-odi), with the envelope sender and the recipients', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sendmail-'));
    dirs.push(dir);
    // A stand-in MTA that records its argv and message (an executable, as the real one is).
    const fake = join(dir, 'sendmail');
    writeFileSync(
      fake,
      `#!${process.execPath}\nconst fs = require('fs');\nfs.writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));\nfs.writeFileSync(${JSON.stringify(join(dir, 'msg.txt'))}, fs.readFileSync(0));\n`,
      { mode: 0o755 },
    );
    const cfg = { ...cfgFor(25), transport: 'sendmail' as const, sendmail_path: fake, to: ['root', 'ops@example.org'] };
    const t = await makeTransport(cfg);
    await t.sendMail({
      from: 'baysync@localhost',
      to: ['root@localhost', 'ops@example.org'],
      subject: 'hi',
      text: 'body',
    });
    expect(JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8'))).toEqual([
      '-i',
      '-odi',
      '-f',
      'baysync@localhost',
      'root@localhost',
      'ops@example.org',
    ]);
    expect(existsSync(join(dir, 'msg.txt')) && readFileSync(join(dir, 'msg.txt'), 'utf8')).toContain('Subject: hi');
  });

  it('qualifies bare local parts (the lab found sendmail called with no recipient)', () => {
    expect(qualifyAddress('root')).toBe('root@localhost');
    expect(qualifyAddress('ops@example.org')).toBe('ops@example.org');
  });

  it('a mail spooled while a drain runs goes out right after it, not at the next timer', async () => {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    dirs.push(dir);
    const smtp = new TestSmtp(port);
    await smtp.start();
    try {
      const spool = new MailSpool(dir, cfgFor(port));
      const first = spool.drain(); // an empty spool: this run lists nothing
      spool.enqueue({ subject: 'during', text: 'body' }); // same tick, before that run settled
      await first;
      await smtp.waitFor((x) => x.subject === 'during', 5000);
      spool.close();
    } finally {
      await smtp.stop();
    }
  });

  it('keeps a mail in the spool while the server is down and delivers it when it is back', async () => {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    dirs.push(dir);
    let now = Date.now();
    const spool = new MailSpool(dir, cfgFor(port), undefined, () => now);
    expect(spool.enqueue({ subject: 'hello', text: 'body' })).toBeTruthy();
    await spool.drain();
    expect(spool.pending()).toHaveLength(1);
    expect(spool.pending()[0]!.attempts).toBe(1);
    const smtp = new TestSmtp(port);
    await smtp.start();
    await spool.drain(); // not due yet: backoff
    expect(spool.pending()).toHaveLength(1);
    now += 31_000;
    await spool.drain();
    const m = await smtp.waitFor((x) => x.subject === 'hello');
    expect(m.to).toEqual(['root@localhost']);
    expect(readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.json'))).toEqual([]);
    spool.close();
    await smtp.stop();
  });
});

describe('mail spool under faults (invariant 8)', () => {
  const transport = (sendMail: () => Promise<unknown>) => ({ sendMail, close: () => undefined }) as never;
  /** A spool whose transport never answers, given up after `timeoutMs`. */
  const hungSpool = (timeoutMs: number): MailSpool => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    dirs.push(dir);
    return new MailSpool(
      dir,
      cfgFor(1),
      transport(() => new Promise(() => undefined)),
      Date.now,
      timeoutMs,
    );
  };

  it('an entry without a numeric retry time is quarantined once, not retried in a loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'mail'));
    writeFileSync(
      join(dir, 'mail', 'bad.json'),
      JSON.stringify({
        id: 'bad',
        createdAt: '2026-11-22T00:00:00Z',
        attempts: 0,
        nextAttemptAt: 'soon',
        to: ['root@localhost'],
        from: 'b@l',
        subject: 's',
        text: 't',
      }),
    );
    let sends = 0;
    const spool = new MailSpool(
      dir,
      cfgFor(1),
      transport(async () => void sends++),
    );
    await spool.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(sends).toBe(0);
    expect(readdirSync(join(dir, 'mail', 'quarantine'))).toEqual(['bad.json']);
    expect(spool.pending()).toEqual([]);
    spool.close();
  });

  it('a transport that never answers is given up after the timeout; the mail stays for the next try', async () => {
    const spool = hungSpool(200);
    spool.enqueue({ subject: 'hung', text: 'x' });
    await spool.drain();
    expect(spool.pending()).toMatchObject([
      { subject: 'hung', attempts: 1, lastError: expect.stringMatching(/did not answer within 0.2 s/) },
    ]);
    spool.close();
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a full disk while a retry is recorded does not throw, and the mail is not retried at once',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'spool-'));
      dirs.push(dir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      try {
        let now = Date.parse('2026-11-22T10:00:00Z');
        let sends = 0;
        const spool = new MailSpool(
          dir,
          cfgFor(1),
          transport(async () => Promise.reject(new Error(`550 rejected ${++sends}`))),
          () => now,
        );
        spool.enqueue({ subject: 'big', text: 'x' });
        await spool.drain();
        try {
          writeFileSync(join(dir, 'filler'), Buffer.alloc(200_000));
        } catch {
          // the disk is full now
        }
        now += 60_000; // the retry is due
        await expect(spool.drain()).resolves.toBeUndefined();
        expect(sends).toBe(2);
        await spool.drain(); // the entry on disk still says "due": the retry time kept in memory holds it back
        expect(sends).toBe(2);
        spool.close();
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );

  it(`keeps at most ${maxSpooled} mails, dropping the oldest`, async () => {
    const spool = hungSpool(60_000);
    for (let i = 0; i < maxSpooled + 3; i++) spool.enqueue({ subject: `m${i}`, text: 'x' });
    const left = spool.pending();
    expect(left).toHaveLength(maxSpooled);
    expect(left.some((e) => e.subject === 'm0')).toBe(false);
    spool.close();
  });
});

describe('SMTP secrets in use', () => {
  it('the password comes from its file (first line), read at each hand-over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baysync-pw-'));
    dirs.push(dir);
    const file = join(dir, 'pw');
    writeFileSync(file, 's3cret \nignored\n', { mode: 0o600 });
    const smtp = { ...cfgFor(25).smtp, user: 'u', password_file: file, require_tls: true };
    expect(smtpPassword(smtp)).toBe('s3cret');
    writeFileSync(file, 'rotated\n');
    expect(smtpPassword(smtp)).toBe('rotated');
    expect(smtpPassword({ ...cfgFor(25).smtp, password: 'inline' })).toBe('inline');
  });

  it('require_tls: a server without STARTTLS gets nothing, not the password in clear', async () => {
    const smtp = new TestSmtp(20000 + Math.floor(Math.random() * 20000));
    await smtp.start();
    try {
      const cfg = cfgFor(smtp.port);
      const t = await makeTransport({ ...cfg, smtp: { ...cfg.smtp, user: 'u', password: 'p', require_tls: true } });
      await expect(t.sendMail({ from: 'a@b', to: ['root@localhost'], subject: 's', text: 't' })).rejects.toThrow(
        /STARTTLS/,
      );
      expect(smtp.mails).toHaveLength(0);
    } finally {
      await smtp.stop();
    }
  });
});
