// Lab scenario 'adapter-contract': the adapter contract (test/contract/cases.ts) on the real
// mdadm, fsfreeze, systemctl and BackupPC in the guest, with set A plugged in and the daemon
// stopped (so that only the contract touches the set). The same cases pass on the FakeSystem.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabSession } from '../../session.js';
import { Check } from '../assert.js';

export async function run(s: LabSession): Promise<void> {
  await s.vm.exec(['systemctl', 'stop', 'baysync.service']);
  await s.plug('A');
  await s.vm.exec(['udevadm', 'settle']);
  const from = join(process.cwd(), 'build/test/contract');
  const to = '/usr/lib/baysync/build/test/contract';
  await s.vm.exec(['mkdir', '-p', to]);
  for (const f of readdirSync(from).filter((n) => n.endsWith('.js')))
    await s.vm.writeFile(`${to}/${f}`, readFileSync(join(from, f)));
  const r = await s.vm.exec(['node', `${to}/guest.js`], { allowFailure: true, timeoutMs: 600_000 });
  process.stdout.write(r.stdout);
  if (r.exitCode !== 0)
    throw new Check(`${r.exitCode} contract case(s) failed on the real tools:\n${r.stdout}${r.stderr}`);
}
