// `npm run demo`: the real service in the lab VM. Boots the seed-000 topology, installs
// baysync from the .deb, then plugs in set A, waits for the mail and prints it with the
// timeline, `baysync status` and the journal; unplugs A, writes new data, does the same with
// set B, then with set A again (a bitmap re-add); ends with a summary table.

import { log, sleep } from './common.js';
import { installBaysync, lastMail, mailCount } from './guest-install.js';
import { LabSession, type SetName } from './session.js';

interface Row {
  set: SetName;
  plugToMailS: number;
  pauseWindowS?: number;
  resync?: string;
  joinMode?: string;
  verification: string;
}

const rows: Row[] = [];
const started = Date.now();
const s = new LabSession('demo');
const say = (t: string): void => void process.stdout.write(`${t}\n`);
const banner = (t: string): void => say(`\n${'='.repeat(78)}\n${t}\n${'='.repeat(78)}`);

async function rotate(set: SetName): Promise<void> {
  banner(`plug in set ${set}`);
  const before = await mailCount(s, new RegExp(`set ${set}:`));
  const since = (await s.vm.exec(['date', '+%Y-%m-%d %H:%M:%S'])).stdout.trim();
  const t0 = Date.now();
  await s.plug(set);
  log(`set ${set} plugged in; waiting for the mail`);
  const deadline = Date.now() + 15 * 60_000;
  let lastShown = 0;
  while ((await mailCount(s, new RegExp(`set ${set}:`))) <= before) {
    if (Date.now() > deadline) throw new Error(`no mail for set ${set} within 15 minutes`);
    if (Date.now() - lastShown > 10_000) {
      lastShown = Date.now();
      const st = await s.vm.exec(['systemctl', 'show', 'baysync', '--property=StatusText', '--value'], {
        allowFailure: true,
      });
      log(`  systemctl status: ${st.stdout.trim()}`);
      if (process.env.LAB_TRACE)
        log(
          (
            await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '-n', '8'], {
              allowFailure: true,
            })
          ).stdout,
        );
    }
    await sleep(1000);
  }
  const plugToMail = (Date.now() - t0) / 1000;
  const mail = await lastMail(s, new RegExp(`set ${set}:`));
  say(`\n--- mail for root (/var/mail/mail, ${plugToMail.toFixed(1)} s after the plug) ---\n${mail?.trim()}`);
  say(`\n--- baysync status ---\n${(await s.vm.exec(['baysync', 'status'])).stdout}`);
  say(
    `--- journalctl -u baysync (this rotation) ---\n${(
      await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'short', '--since', since])
    ).stdout
      .split('\n')
      .filter((l) => !/command (start|end)/.test(l))
      .join('\n')}`,
  );
  const st = JSON.parse((await s.vm.exec(['baysync', 'status', '--json'])).stdout) as {
    history: Array<{
      set: string;
      pauseWindowMs?: number;
      resyncBytes?: number;
      joinMode?: string;
      summary: string;
      outcome: string;
    }>;
  };
  const h = st.history.find((x) => x.set === set)!;
  rows.push({
    set,
    plugToMailS: plugToMail,
    pauseWindowS: h.pauseWindowMs !== undefined ? h.pauseWindowMs / 1000 : undefined,
    resync: h.resyncBytes !== undefined ? `${(h.resyncBytes / 1048576).toFixed(1)} MiB` : '?',
    joinMode: h.joinMode,
    verification: h.outcome === 'success' ? 'OK' : h.outcome.toUpperCase(),
  });
}

async function unplugAndWrite(set: SetName, mib: number): Promise<void> {
  banner(`unplug set ${set} and write ${mib} MiB of new data into the pool`);
  await s.unplug(set);
  await s.vm.exec([
    'dd',
    'if=/dev/urandom',
    `of=/var/lib/backuppc/demo-${Date.now()}.bin`,
    'bs=1M',
    `count=${mib}`,
    'conv=fsync',
    'status=none',
  ]);
}

try {
  await s.start();
  banner(
    'install baysync from the .deb (apt-get install ./baysync.deb, baysync install, systemctl enable --now baysync)',
  );
  await installBaysync(s);
  say((await s.vm.exec(['baysync', 'doctor'], { allowFailure: true })).stdout);
  say((await s.vm.exec(['systemctl', 'status', 'baysync', '--no-pager'], { allowFailure: true })).stdout);
  await rotate('A');
  await unplugAndWrite('A', 4);
  await rotate('B');
  await unplugAndWrite('B', 4);
  await rotate('A');
  banner('summary');
  say('set  plug->mail  BackupPC stopped (detach)  join     bytes resynced  verification');
  for (const r of rows) {
    say(
      `${r.set.padEnd(4)} ${`${r.plugToMailS.toFixed(1)} s`.padStart(10)}  ${`${r.pauseWindowS?.toFixed(1) ?? '?'} s`.padStart(24)}  ${(r.joinMode ?? '?').padEnd(7)}  ${(r.resync ?? '?').padStart(14)}  ${r.verification}`,
    );
  }
  say(`\ndemo finished in ${((Date.now() - started) / 60000).toFixed(1)} min`);
} finally {
  await s.close(process.env.LAB_KEEP === '1');
}
