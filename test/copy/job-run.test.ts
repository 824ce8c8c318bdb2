// The copy job's executor against a fake LVM (lvs answers from a list of volumes that lvcreate
// and lvremove change, in the JSON form captured from LVM 2.03.31): the planned operations run
// in order, the snapshot is always removed (verified, failed, overflowed), an interrupted run
// resumes on its snapshot, thin_delta's chunks are the only ones read and the pool's metadata
// snapshot is released even when thin_delta fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copySchema } from '../../src/config/copy.js';
import { runCopyJob } from '../../src/copy/job-run.js';
import { type CopyRecord, copyRecordSpec } from '../../src/copy/record.js';
import type { SessionOutcome } from '../../src/copy/session.js';
import { LvmAdapter } from '../../src/system/lvm.js';
import { OpRunner } from '../../src/system/op-runner.js';
import { type Lv, parseLvs } from '../../src/system/parsers/lvs.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/lab/lvm/${name}.txt`, import.meta.url), 'utf8');
const mib = 1048576;

/** LVM as lvs reports it: volumes created and removed by the commands the job runs. */
function fakeLvm(initial: Lv[], o: { fill?: () => number; thinDelta?: () => RunResult | undefined } = {}) {
  const vols = [...initial];
  const calls: string[] = [];
  let nextThin = 10;
  const row = (l: Lv): Record<string, string> => ({
    lv_name: l.name,
    vg_name: l.vg,
    lv_attr: l.attr,
    lv_size: String(l.bytes),
    data_percent:
      l.dataPercent === undefined ? '' : String(o.fill && l.origin && l.attr[0] === 's' ? o.fill() : l.dataPercent),
    metadata_percent: l.metadataPercent === undefined ? '' : String(l.metadataPercent),
    origin: l.origin ?? '',
    pool_lv: l.pool ?? '',
    lv_uuid: l.uuid,
    thin_id: l.thinId === undefined ? '' : String(l.thinId),
    lv_dm_path: l.dmPath,
    lv_tags: l.tags.join(','),
  });
  const ok = (argv: string[], stdout = ''): RunResult => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 0 });
  const runner = {
    run: async (argv: string[]) => {
      if (argv[0] !== 'lvs') calls.push(argv.join(' '));
      if (argv[0] === 'lvs') return ok(argv, JSON.stringify({ report: [{ lv: vols.map(row) }], log: [] }));
      if (argv[0] === 'lvcreate') {
        const name = argv[argv.indexOf('--name') + 1]!;
        const [vg, originName] = argv.at(-1)!.split('/') as [string, string];
        const origin = vols.find((v) => v.name === originName)!;
        const thin = origin.attr[0] === 'V';
        vols.push({
          ...origin,
          name,
          vg,
          origin: originName,
          attr: thin ? 'Vwi-a-tz--' : 'swi-a-s---',
          dataPercent: thin ? origin.dataPercent : 1,
          tags: ['baysync-copy'],
          uuid: `u-${name}`,
          ...(thin ? { thinId: nextThin++ } : {}),
          dmPath: `/dev/mapper/${vg}-${name.replace(/-/g, '--')}`,
        });
        return ok(argv);
      }
      if (argv[0] === 'lvremove') {
        const name = argv.at(-1)!.split('/')[1]!;
        const i = vols.findIndex((v) => v.name === name);
        if (i < 0) return { ...ok(argv), exitCode: 5, stderr: `Failed to find logical volume "${argv.at(-1)}"` };
        vols.splice(i, 1);
        return ok(argv);
      }
      if (argv[0] === 'thin_delta') return o.thinDelta?.() ?? ok(argv, fx('thin_delta'));
      return ok(argv);
    },
  } as unknown as CommandRunner;
  return { runner, calls, vols };
}

function memRecord(r: CopyRecord = copyRecordSpec.fresh()) {
  let cur = r;
  return {
    load: () => structuredClone(cur),
    save: (n: CopyRecord) => {
      cur = structuredClone(n);
    },
    get: () => cur,
  };
}

const verified: SessionOutcome = {
  sent: { chunks: 75, chunksSent: 75, bytesRead: 300 * mib, bytesSent: 300 * mib + 4000 },
  known: 0,
  result: { kind: 'result', ok: true, chunksWritten: 75, bytesWritten: 300 * mib },
};

function job(
  lvs: Lv[],
  volume: string,
  send: Parameters<typeof runCopyJob>[0]['send'],
  extra: Parameters<typeof fakeLvm>[1] = {},
  record = memRecord(),
) {
  const lvm = fakeLvm(lvs, extra);
  const cfg = copySchema.parse({ volume, receiver: { host: 'b.example' }, fill_check_seconds: 1 }) as Parameters<
    typeof runCopyJob
  >[0]['cfg'];
  const lines: string[] = [];
  const run = (clearGuard = false) =>
    runCopyJob({
      clearGuard,
      cfg,
      lvm: new LvmAdapter(lvm.runner),
      ops: new OpRunner(lvm.runner),
      mounts: () => [{ dev: '252:0', mountpoint: '/var/lib/backuppc', fstype: 'xfs', source: 'x', options: 'rw' }],
      devOf: () => '252:0',
      record,
      send: (dev, o) => box.send(dev, o),
      log: (l) => lines.push(l),
    });
  const box = { lvm, run, record, lines, send };
  return box;
}

const classic = parseLvs(fx('lvs-classic-origin')).lvs;
const thin = parseLvs(fx('lvs-thin')).lvs;

describe('a copy run (classic snapshot)', () => {
  it('runs the planned operations in order, sends the snapshot, removes it, and records the verified copy', async () => {
    const sent: string[] = [];
    const j = job(classic, 'vgpool/pool', async (dev) => {
      sent.push(dev);
      return verified;
    });
    const out = await j.run();
    expect(out).toMatchObject({
      ok: true,
      summary: 'verified: 75 chunks written of 75',
      bytesRead: 300 * mib,
      maxFillPercent: 1,
    });
    expect(sent).toEqual(['/dev/mapper/vgpool-pool--baysync--copy--1']);
    expect(j.lvm.calls.map((c) => c.split(' ')[0])).toEqual(['rsync', 'lvcreate', 'lvremove']);
    expect(j.lvm.vols.map((v) => v.name)).toEqual(['pool']);
    expect(j.record.get()).toMatchObject({ lastGen: 1, lastVerifiedAt: out.at, last: { ok: true } });
    expect(j.record.get().inProgress).toBeUndefined();
  });

  it('invariant 12 and 13: a snapshot that fills up stops the copy, says why, is removed, and the guard stays tripped until the operator clears it', async () => {
    let level = 10;
    const record = memRecord({ version: 1, lastGen: 4, lastVerifiedAt: '2026-11-30T00:00:00.000Z' });
    const j = job(
      classic,
      'vgpool/pool',
      (_dev, o) =>
        new Promise((_, reject) => {
          level = 95;
          o.signal.addEventListener('abort', () => reject(new Error('the link was closed')), { once: true });
        }),
      { fill: () => level },
      record,
    );
    const out = await j.run();
    expect(out.ok).toBe(false);
    expect(out.summary).toMatch(
      /failed: the snapshot vgpool\/pool-baysync-copy-5 is 95\.0% full, at or above the abort threshold of 90%/,
    );
    expect(j.lvm.vols.map((v) => v.name)).toEqual(['pool']);
    expect(record.get()).toMatchObject({ lastVerifiedAt: '2026-11-30T00:00:00.000Z', last: { ok: false } });
    // The next run (the timer's) does not quietly retry: it refuses, and no snapshot is taken.
    const calls = j.lvm.calls.length;
    const again = await j.run();
    expect(again.refused).toMatch(/snapshot-fill guard tripped at .*95\.0% full.*baysync copy run --clear-guard/);
    expect(j.lvm.calls.length).toBe(calls);
    level = 10;
    j.send = async () => verified;
    expect((await j.run(true)).ok).toBe(true);
    expect(record.get().guard).toBeUndefined();
  });

  it('a run interrupted by a crash resumes on its snapshot (no new one), and removes it at the end', async () => {
    const left: Lv = { ...parseLvs(fx('lvs-classic-snapshot')).lvs[1]!, name: 'pool-baysync-copy-3' };
    const j = job(
      [...classic, left],
      'vgpool/pool',
      async () => verified,
      {},
      memRecord({ version: 1, lastGen: 3, inProgress: 3 }),
    );
    expect((await j.run()).ok).toBe(true);
    expect(j.lvm.calls).toEqual([expect.stringMatching(/^rsync /), 'lvremove --yes -- vgpool/pool-baysync-copy-3']);
  });

  it('a run that fails before its snapshot exists removes nothing else and says why', async () => {
    const j = job(classic, 'vgpool/pool', async () => verified);
    const cfgFail = j.lvm.runner.run;
    j.lvm.runner.run = async (argv, opts) =>
      argv[0] === 'rsync' ? Promise.reject(new Error('rsync: connection refused')) : cfgFail(argv, opts);
    const out = await j.run();
    expect(out).toMatchObject({ ok: false, summary: 'failed: rsync: connection refused' });
    expect(j.lvm.calls.filter((c) => c.startsWith('lv'))).toEqual([]);
  });
});

describe('a copy run (thin snapshot)', () => {
  const base = thin.filter((l) => l.name !== 'thinvol-baysync-copy-2');
  it('with a verified base: only the chunks thin_delta names are read, the old base is removed, the new one kept', async () => {
    let changed: number[] | undefined;
    const record = memRecord({ version: 1, lastGen: 1, thinBase: 1 });
    const j = job(
      base,
      'vgpool/thinvol',
      async (_d, o) => {
        changed = o.changed;
        return verified;
      },
      {},
      record,
    );
    const out = await j.run();
    expect(out.ok).toBe(true);
    // thin_delta's fixture: 64 KiB blocks 0-1, 161-193, 481-561, 2400 -> 4 MiB chunks 0, 2-3, 7-8, 37.
    expect(changed).toEqual([0, 2, 3, 7, 8, 37]);
    expect(j.lvm.calls.map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'rsync --archive --delete --timeout=120',
      'lvcreate --yes --snapshot --setactivationskip',
      'dmsetup message -- vgpool-thinpool-tpool',
      'thin_delta -m --snap1 2',
      'dmsetup message -- vgpool-thinpool-tpool',
      'lvremove --yes -- vgpool/thinvol-baysync-copy-1',
    ]);
    expect(j.lvm.vols.map((v) => v.name)).toContain('thinvol-baysync-copy-2');
    expect(record.get().thinBase).toBe(2);
  });

  it("the pool's metadata snapshot is released even when thin_delta fails, and the run fails", async () => {
    const j = job(
      base,
      'vgpool/thinvol',
      async () => verified,
      {
        thinDelta: () => ({ argv: [], exitCode: 64, stdout: '', stderr: 'no current metadata snap', durationMs: 0 }),
      },
      memRecord({ version: 1, lastGen: 1, thinBase: 1 }),
    );
    const out = await j.run();
    expect(out.ok).toBe(false);
    expect(j.lvm.calls.filter((c) => c.includes('release_metadata_snap'))).toHaveLength(1);
  });
});
