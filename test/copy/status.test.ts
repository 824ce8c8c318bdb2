// The snapshot copy's part of `baysync status` and `baysync check`: the age of the secondary's
// last verified copy against copy.max_age_days, a tripped fill guard, a failed last run; and the
// daemon Service that reads copy.json for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateCheck } from '../../src/cli/check.js';
import { renderCopy } from '../../src/cli/render.js';
import { copySchema } from '../../src/config/copy.js';
import { parseConfigText } from '../../src/config/load.js';
import { copyRecordSpec } from '../../src/copy/record.js';
import { CopyService } from '../../src/copy/service.js';
import { copyCheck, copyStatus } from '../../src/copy/status.js';
import { RecordStore } from '../../src/jobs/store.js';

const cfg = copySchema.parse({ volume: 'vg0/pool', receiver: { host: 'b' }, max_age_days: 2 });
const now = Date.parse('2026-12-02T12:00:00Z');
const day = 86400_000;
const last = {
  at: '2026-12-02T11:00:00.000Z',
  ok: true,
  summary: 'verified: 3 chunks written of 75',
  durationMs: 5000,
};

describe('copy status and check', () => {
  it('OK with a recent verified copy; WARNING past max_age_days; CRITICAL past twice that; the age as perfdata in seconds', () => {
    const at = (ms: number) =>
      copyStatus(cfg, { version: 1, lastGen: 3, last, lastVerifiedAt: new Date(now - ms).toISOString() }, now);
    const ok = copyCheck(cfg, at(day));
    expect(ok.problems).toEqual([]);
    expect(ok.oks).toEqual(["the secondary's copy is 1.0 days old"]);
    expect(ok.perfs).toEqual(['copy_age=86400s;172800;345600;0']);
    expect(copyCheck(cfg, at(3 * day)).problems).toEqual([{ code: 1, text: "the secondary's copy is 3.0 days old" }]);
    expect(copyCheck(cfg, at(5 * day)).problems[0]?.code).toBe(2);
  });

  it('no verified copy yet warns (U in perfdata); a tripped guard is CRITICAL and says how to clear it; a failed run warns', () => {
    const none = copyCheck(cfg, copyStatus(cfg, { version: 1, lastGen: 0 }, now));
    expect(none.problems).toEqual([{ code: 1, text: 'snapshot copy: no verified copy on the secondary yet' }]);
    expect(none.perfs).toEqual(['copy_age=U;172800;345600;0']);
    const guard = { reason: 'the snapshot vg0/pool-baysync-copy-4 is 93.0% full', at: '2026-12-02T10:00:00.000Z' };
    const g = copyCheck(cfg, copyStatus(cfg, { version: 1, lastGen: 4, guard, last: { ...last, ok: false } }, now));
    expect(g.problems[0]).toEqual({ code: 2, text: expect.stringMatching(/fill guard .*93\.0% full.*--clear-guard/) });
    const failed = copyCheck(
      cfg,
      copyStatus(
        cfg,
        { version: 1, lastGen: 4, lastVerifiedAt: last.at, last: { ...last, ok: false, summary: 'failed: x' } },
        now,
      ),
    );
    expect(failed.problems).toEqual([{ code: 1, text: 'the last snapshot copy failed: failed: x' }]);
  });

  it('status shows the copy; baysync check joins its part', () => {
    const st = copyStatus(cfg, { version: 1, lastGen: 3, last, lastVerifiedAt: last.at }, now);
    expect(renderCopy(st).join('\n')).toMatch(
      /snapshot copy: vg0\/pool -> ssh:\/\/baysync-copy@b\n.*last verified copy: 2026-12-02 11:00:00 \(60 min old\)/,
    );
    const full = parseConfigText(
      't.toml',
      '[copy]\nvolume = "vg0/pool"\n[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n',
    );
    const base = { version: 'x', pid: 1, startedAt: '', statusLine: 'idle', mailPending: 0, mailLastError: null };
    const status = {
      ...base,
      sets: [],
      history: [],
      waiting: [],
      rotation: null,
      copy: { ...st, guard: { reason: 'full', at: last.at } },
    };
    const r = evaluateCheck(full, status as unknown as Parameters<typeof evaluateCheck>[1]);
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^BAYSYNC CRITICAL - snapshot copy stopped by its fill guard \(full\).*\| .*copy_age=3600s/);
  });
});

describe('CopyService', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it("reads copy.json for the daemon's status", () => {
    dir = mkdtempSync(join(tmpdir(), 'copysvc-'));
    const text = `[copy]\nvolume = "vg0/pool"\n[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n[paths]\nstate_dir = "${dir}"\nrun_dir = "${dir}"\n`;
    const c = parseConfigText('t.toml', text);
    new RecordStore(dir, 'copy', copyRecordSpec).save({ version: 1, lastGen: 2, last, lastVerifiedAt: last.at });
    const s = new CopyService(c, () => now).status() as {
      copy: { lastVerifiedAt: string; verifiedAgeSeconds: number };
    };
    expect(s.copy).toMatchObject({ lastVerifiedAt: last.at, verifiedAgeSeconds: 3600, volume: 'vg0/pool' });
  });
});
