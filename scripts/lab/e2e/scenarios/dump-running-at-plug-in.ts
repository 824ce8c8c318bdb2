// Lab scenario 'dump-running-at-plug-in': 6. A BackupPC dump runs at plug-in: it completes
// normally, and no new dump starts until the detach.
import { sleep } from '../../common.js';
import type { LabSession } from '../../session.js';
import { expect, waitIdle } from '../assert.js';
import { requestBackup } from '../copy.js';

export async function run(s: LabSession): Promise<void> {
  for (let i = 0; i < 6; i++)
    await s.vm.exec(['dd', 'if=/dev/urandom', `of=/srv/data/big${i}.bin`, 'bs=1M', 'count=16', 'status=none']);
  await s.vm.exec(['chmod', '-R', 'a+rX', '/srv/data']);
  const backups = async (): Promise<Array<{ num: number; start: number; end: number }>> => {
    const r = await s.vm.exec(['cat', '/var/lib/backuppc/pc/localhost/backups'], { allowFailure: true });
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map((f) => ({ num: Number(f[0]), start: Number(f[2]), end: Number(f[3]) }));
  };
  // BackupPC's LOG, as [epoch, text] (the guest runs in UTC).
  const logLines = async (): Promise<Array<[number, string]>> =>
    (await s.vm.exec(['cat', '/var/lib/backuppc/log/LOG'], { allowFailure: true })).stdout
      .split('\n')
      .map((l) => /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [Date.parse(`${m[1]}T${m[2]}Z`) / 1000, m[3]!] as [number, string]);
  const started = async (): Promise<number> =>
    (await logLines()).filter(([, t]) => /^Started \w+ backup on localhost/.test(t)).length;
  await s.waitFor(['test', '-S', '/run/backuppc/BackupPC.sock'], 'the BackupPC server', 120_000);
  const n0 = await started();
  await requestBackup(s);
  // Our dump has begun its transfer (a scheduled wakeup may also run one: count, do not grep).
  for (let i = 0; i < 240 && (await started()) <= n0; i++) await sleep(500);
  expect((await started()) > n0, 'the requested dump started');
  const before = await backups();
  const plugEpoch = Number((await s.vm.exec(['date', '+%s'])).stdout);
  await s.plug('A');
  const h = await waitIdle(s, 'A');
  expect(h.outcome === 'success', `rotation succeeded (${h.summary})`);
  const after = await backups();
  const log = await logLines();
  const logText = log
    .slice(-15)
    .map(([e, t]) => `${e} ${t}`)
    .join('\n');
  // A running dump is listed with an end of 0 or with a stale one (seen: the previous dump's end,
  // earlier than its own start); it counts as finished once its end is set after its start.
  const finished = after.filter(
    (b) => b.end >= b.start && !before.some((x) => x.num === b.num && x.end === b.end && x.end >= x.start),
  );
  expect(
    finished.some((b) => b.start <= plugEpoch),
    `the dump running at plug-in completed normally (plug-in ${plugEpoch}; backups before ${JSON.stringify(before)}, after ${JSON.stringify(after)}; BackupPC LOG:\n${logText})`,
  );
  // From the pause (the server's config reload after the plug-in) to the detach, no dump starts.
  const pauseAt = log.find(([e, t]) => e >= plugEpoch && /^Reloading config\/host files/.test(t))?.[0];
  expect(pauseAt !== undefined, 'BackupPC was told to pause (config reload after the plug-in)');
  const detachEpoch = h.syncEndedAt ? Date.parse(h.syncEndedAt) / 1000 : Infinity;
  expect(
    !log.some(([e, t]) => e > pauseAt! && e < detachEpoch && /^Started \w+ backup/.test(t)),
    `no dump started between the pause and the detach (LOG:\n${logText})`,
  );
}
