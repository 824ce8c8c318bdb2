// What the rotation tells the operator outside its steps: md members it does not know (logged
// once, never touched), the pool running without a set's mirror (said once, error and mail), a
// second set waiting while one rotates (invariant 6, told once), and the overdue reminder (at
// most daily). Contract: reads only the facts and the persisted state; mail goes to the spool.
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import type { MailSpool } from '../mail/spool.js';
import { poolProblems, presentSets, problemHeadline, unknownMembers } from './detect.js';
import { newestCopyAgeDays, setStatuses } from './status.js';
import type { Facts, PersistedState, RotationState } from './types.js';

export class Notices {
  private seenUnknown = new Set<string>();
  /** Mirrors the pool runs without (the top mirror degraded), as last read; for status and check. */
  poolProblems: string[] = [];

  constructor(
    private readonly cfg: Config,
    private readonly mail: MailSpool,
    private readonly log: Logger,
  ) {}

  unknown(facts: Facts): void {
    for (const c of unknownMembers(this.cfg, facts)) {
      const key = `${c.dev}:${c.examine.uuid}`;
      if (this.seenUnknown.has(key)) continue;
      this.seenUnknown.add(key);
      this.log.warn(
        { dev: c.dev, uuid: c.examine.uuid, level: c.examine.level },
        `unknown md member ${c.dev}: not part of any configured set; left untouched`,
      );
    }
  }

  /** The pool running without a set's mirror is said once (error log and mail) when first seen. */
  pool(facts: Facts): void {
    const now = poolProblems(this.cfg, facts);
    for (const p of now.filter((x) => !this.poolProblems.includes(x))) {
      this.log.error(p);
      this.mail.enqueue({
        subject: '[baysync] the pool runs without one of its mirrors',
        text: `${p}.\n\nUntil then the pool has no redundancy at the top level, and rotations of that mirror's set are refused.\n`,
      });
    }
    for (const p of this.poolProblems.filter((x) => !now.includes(x))) this.log.info(`resolved: ${problemHeadline(p)}`);
    this.poolProblems = now;
  }

  /** Invariant 6: a second complete set waits, and the operator is told once. Returns true when the state changed. */
  waiting(facts: Facts, r: RotationState, state: PersistedState, awaitingRemoval: Set<string>): boolean {
    let changed = false;
    for (const p of presentSets(this.cfg, facts)) {
      if (p.set.name === r.set || !p.complete || state.waiting.includes(p.set.name) || awaitingRemoval.has(p.set.name))
        continue;
      state.waiting.push(p.set.name);
      changed = true;
      this.log.warn(
        { set: p.set.name, running: r.set },
        `set ${p.set.name} plugged in while set ${r.set} rotates: it waits`,
      );
      this.mail.enqueue({
        subject: `[baysync] set ${p.set.name} waits: set ${r.set} is rotating`,
        text: `Set ${p.set.name} was plugged in while the rotation of set ${r.set} runs (phase ${r.phase}).\nOnly one rotation runs at a time. Set ${p.set.name} will rotate when set ${r.set} is done; you may also unplug it now and plug it in later.\n`,
      });
    }
    return changed;
  }

  /** At most one reminder a day while no copy is newer than warn_after_days. Returns true when it mailed. */
  overdue(state: PersistedState, now: number): boolean {
    const sets = setStatuses(this.cfg, state, now);
    const newest = newestCopyAgeDays(sets);
    const overdue = newest === undefined ? state.history.length > 0 : newest > this.cfg.policy.warn_after_days;
    if (!overdue || state.rotation) return false;
    if (state.lastReminderAt && now - Date.parse(state.lastReminderAt) < 86_400_000) return false;
    state.lastReminderAt = new Date(now).toISOString();
    const lines = sets.map(
      (s) =>
        `  set ${s.name}: last good copy ${s.lastSuccess ? `${s.lastSuccess.slice(0, 10)} (${s.ageDays} days ago)` : 'never'}`,
    );
    this.log.warn({ newestCopyAgeDays: newest }, 'offline-copy rotation overdue');
    this.mail.enqueue({
      subject: '[baysync] offline-copy rotation overdue',
      text: `No offline copy has been made for ${newest?.toFixed(1) ?? 'many'} days (policy: every ${this.cfg.policy.rotation_days}, warn after ${this.cfg.policy.warn_after_days}).\n\n${lines.join('\n')}\n\nPlug in the set that is due; baysync does the rest and mails you when it is safe to remove.\n`,
    });
    return true;
  }
}
