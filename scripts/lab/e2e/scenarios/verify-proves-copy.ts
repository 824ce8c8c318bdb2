// Lab scenario 'verify-proves-copy' (issue 11, section 1): the verification proves a copy both
// ways. Set A rotates untouched: its mail, `baysync status` and `baysync check` state the share
// proved block by block. Then, with auto_start off and 100 % asked for, data written to the pool
// since the split leaves `baysync verify --set A` INCONCLUSIVE (exit 2). Last, with A unplugged
// (qemu's block node released), a few blocks of one of its disks are overwritten from the host
// (qemu-io on its qcow2), as a failing disk would: the verification FAILS (exit 1), naming the
// damaged chunks, although nothing in the pool touched them.
import { execa } from 'execa';
import { log, sleep } from '../../common.js';
import { labConfig, lastMail } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check, expect } from '../assert.js';
import { writeData } from '../copy.js';
import { figures } from '../figures.js';
import { rotation } from '../rotation.js';

async function verifyA(s: LabSession): Promise<{ code: number; verdict?: string; detail: string; damaged: number }> {
  await s.plug('A');
  const deadline = Date.now() + 60_000;
  while (((await s.vm.exec(['lsblk', '-n', '-o', 'SERIAL'])).stdout.match(/^A[01]$/gm) ?? []).length < 2) {
    if (Date.now() > deadline) throw new Check('set A did not reappear');
    await sleep(500);
  }
  await sleep(1000);
  const r = await s.vm.exec(['baysync', 'verify', '--set', 'A', '--json'], { allowFailure: true, timeoutMs: 900_000 });
  await s.unplug('A');
  const v = JSON.parse(r.stdout || '{}') as { verdict?: string; detail?: string; blocks?: { damaged: number[] } };
  return { code: r.exitCode, verdict: v.verdict, detail: v.detail ?? r.stderr, damaged: v.blocks?.damaged.length ?? 0 };
}

export async function run(s: LabSession): Promise<void> {
  await writeData(s, 8, 'base.bin');
  const h = await rotation(s, 'A');
  const mail = (await lastMail(s, /set A: offline copy done/)) ?? '';
  const proved = /proved ([\d.]+) % of [\d.]+ MiB block by block/.exec(mail);
  expect(proved, `the mail states the share proved (verification line: ${/verification:.*/.exec(mail)?.[0]})`);
  figures.provedPct.push(Number(proved![1]));
  const fsck = /xfs_repair -n: (clean|not conclusive)/.exec(mail);
  expect(fsck, 'the mail gives the filesystem check');
  log(`verify-proves-copy: ${proved![0]}; xfs_repair -n on the frozen copy: ${fsck![1]}`);
  expect(h.summary.includes('proved'), `the history states it (${h.summary})`);
  const st = (await s.vm.exec(['baysync', 'status'])).stdout;
  expect(/verified: proved/.test(st), 'baysync status shows the proved share');
  const check = (await s.vm.exec(['baysync', 'check'], { allowFailure: true })).stdout;
  expect(/proved [\d.]+ %/.test(check), `baysync check shows it (${check.trim()})`);

  // Too little proved: ask for 100 % after the pool wrote since the split.
  await s.unplug('A');
  await s.vm.writeFile(
    '/etc/baysync/baysync.toml',
    labConfig(s.topo.uuids, 'auto_start = false\nverify_min_proved_percent = 100\n'),
  );
  await s.vm.exec(['systemctl', 'restart', 'baysync.service']);
  await s.waitFor(['baysync', 'status'], 'the daemon', 60_000);
  await writeData(s, 4, 'after-split.bin');
  const inc = await verifyA(s);
  expect(
    inc.code === 2 && inc.verdict === 'inconclusive',
    `a copy too little proved is INCONCLUSIVE, exit 2 (exit ${inc.code}, ${inc.verdict}: ${inc.detail})`,
  );

  // A few blocks of disk a0 overwritten from the host, inside its stripe partition (p2 starts
  // at 33 MiB; 4 KiB at each of seven places, past the superblocks).
  for (const mib of [60, 90, 120, 150, 180, 210, 240])
    await execa('qemu-io', ['-f', 'qcow2', '-c', `write -P 0x5a ${mib * 1048576} 4k`, s.externalFile('a0')]);
  const bad = await verifyA(s);
  expect(
    bad.code === 1 && bad.verdict === 'failed' && bad.damaged > 0,
    `the corrupted copy fails, with damaged chunks named (exit ${bad.code}, ${bad.verdict}: ${bad.detail})`,
  );
}
