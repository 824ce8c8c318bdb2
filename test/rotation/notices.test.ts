import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MailSpool } from '../../src/mail/spool.js';
import { Notices } from '../../src/rotation/notices.js';
import { emptyState } from '../../src/rotation/types.js';
import { baseFacts, cand, cfg, H, rot } from './fixtures.js';

const mails: string[] = [];
const spool = { enqueue: (m: { subject: string }) => mails.push(m.subject) } as unknown as MailSpool;

describe('notices', () => {
  it('a second set plugged in while one rotates waits, and the operator is told once (invariant 6)', () => {
    mails.length = 0;
    const n = new Notices(cfg, spool, pino({ level: 'silent' }));
    const facts = baseFacts({
      candidates: [...baseFacts().candidates, cand('sdg2', 'sdg', H(9)), cand('sdh2', 'sdh', H(9))],
    });
    const s = emptyState();
    expect(n.waiting(facts, rot(), s, new Set())).toBe(true);
    expect(n.waiting(facts, rot(), s, new Set())).toBe(false);
    expect(s.waiting).toEqual(['B']);
    expect(mails).toEqual(['[baysync] set B waits: set A is rotating']);
  });

  it('the overdue reminder goes out at most once a day', () => {
    mails.length = 0;
    const n = new Notices(cfg, spool, pino({ level: 'silent' }));
    const s = emptyState();
    s.history = [
      {
        id: 'x',
        set: 'A',
        outcome: 'success',
        startedAt: '2026-10-01T00:00:00Z',
        endedAt: '2026-10-01T00:00:00Z',
        summary: '',
      },
    ];
    s.lastBySet.A = s.history[0]!;
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(n.overdue(s, now)).toBe(true);
    expect(n.overdue(s, now + 3600_000)).toBe(false);
    expect(n.overdue(s, now + 25 * 3600_000)).toBe(true);
    expect(mails).toEqual(['[baysync] offline-copy rotation overdue', '[baysync] offline-copy rotation overdue']);
  });
});
