// Lab scenario 'package-lifecycle' (issue 12): the .deb as an administrator lives with it.
// 1. An upgrade while set A rotates: the postinst's `baysync restart --when-idle` says the
//    restart waits for the job; the daemon (same pid) finishes the rotation, then restarts
//    itself into the installed version (a new pid, exit 75 in the journal).
// 2. An upgrade while idle restarts the daemon at once.
// 3. `dpkg -P`: nothing baysync made is left (units, rules, drop-ins, config, state, runtime
//    files, enable links), and no unit of it is loaded.
import { aptGet, log, sleep } from '../../common.js';
import { guestNode } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check, expect, status, waitIdle } from '../assert.js';

async function mainPid(s: LabSession): Promise<number> {
  return Number((await s.vm.exec(['systemctl', 'show', '-p', 'MainPID', '--value', 'baysync.service'])).stdout.trim());
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Check(`${what} within ${ms / 1000} s`);
    await sleep(500);
  }
}

/** Wait for a daemon other than `old` to run. */
async function newDaemon(s: LabSession, old: number, what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      const p = await mainPid(s);
      return p !== 0 && p !== old;
    },
    60_000,
  );
}

export async function run(s: LabSession): Promise<void> {
  // 1. An upgrade (the same .deb again: dpkg runs the postinst as for an upgrade) mid-rotation.
  // md's resync throttled so that the upgrade surely lands while A is being worked on.
  await s.vm.exec(['sysctl', '-q', '-w', 'dev.raid.speed_limit_max=10000']);
  await s.plug('A');
  await waitFor(
    'a rotation of set A under way',
    async () => ['joining', 'pausing', 'syncing'].includes((await status(s)).rotation?.phase ?? ''),
    300_000,
  );
  const pid0 = await mainPid(s);
  const up = await s.vm.exec(['dpkg', '-i', '/root/baysync.deb']);
  const said = `${up.stdout}\n${up.stderr}`;
  expect(
    /a job is running .*restarts into the installed version when it ends/.test(said),
    `the upgrade said the restart waits (${said.trim().slice(-300)})`,
  );
  expect((await mainPid(s)) === pid0, 'the daemon was not restarted mid-rotation');
  await s.vm.exec(['sysctl', '-q', '-w', 'dev.raid.speed_limit_max=200000']);
  const a = await waitIdle(s, 'A');
  expect(a.outcome === 'success', `set A rotated across the upgrade (${a.summary})`);
  await newDaemon(s, pid0, 'the daemon restarted itself after the rotation');
  const journal = (await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat'])).stdout;
  expect(journal.includes('restarting into the installed version'), 'the journal says why the daemon restarted');
  await s.waitFor(['baysync', 'status'], 'the restarted daemon to answer', 60_000);
  await s.unplug('A');

  // 2. An upgrade while idle: a restart at once.
  const pid1 = await mainPid(s);
  const idle = await s.vm.exec(['dpkg', '-i', '/root/baysync.deb']);
  expect(
    idle.stdout.includes('restarts into the installed version now'),
    `the idle upgrade restarted at once (${idle.stdout.trim().slice(-200)})`,
  );
  await newDaemon(s, pid1, 'a new daemon after the idle upgrade');

  // 3. Purge: nothing baysync made is left.
  await s.vm.exec(['dpkg', '-P', 'baysync']);
  // Every path with baysync in its name under /etc, /usr, /var/lib and /run (dpkg's own
  // records and the lab's node package aside).
  const left = await s.vm.exec([
    'find',
    '/etc',
    '/usr',
    '/var/lib',
    '/run',
    '-xdev',
    '(',
    '-path',
    '/var/lib/dpkg',
    '-o',
    '-path',
    '/run/user',
    ')',
    '-prune',
    '-o',
    '-name',
    '*baysync*',
    '-print',
  ]);
  expect(left.stdout.trim() === '', `purge left: ${left.stdout.trim().split('\n').join(', ')}`);
  const loaded = await s.vm.exec(['systemctl', 'list-units', '--all', '--no-legend', '--plain', 'baysync*'], {
    allowFailure: true,
  });
  expect(loaded.stdout.trim() === '', `units still loaded after purge: ${loaded.stdout.trim()}`);

  // 4. A trixie without Node: `apt install ./baysync.deb` pulls Debian's nodejs in (>= 20.19).
  await s.vm.exec([...aptGet, 'purge', '--yes', '--autoremove', 'nodejs']);
  expect(
    (await s.vm.exec(['test', '-e', guestNode], { allowFailure: true })).exitCode !== 0,
    'no node after the purge',
  );
  const pulled = await s.vm.exec([...aptGet, 'install', '--yes', '/root/baysync.deb'], { timeoutMs: 600_000 });
  expect(
    /NEW packages will be installed:[\s\S]*?\bnodejs\b/.test(pulled.stdout),
    `apt pulled nodejs in with the package (${pulled.stdout.slice(0, 600)})`,
  );
  const v = (await s.vm.exec([guestNode, '--version'])).stdout.trim();
  expect(/^v(2[1-9]|20\.(19|[2-9]\d))\./.test(v), `Debian's node ${v} meets the package's nodejs (>= 20.19)`);
  log(`a clean trixie: apt pulled in nodejs ${v} with baysync`);
}
