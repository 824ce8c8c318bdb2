// Lab scenario 'adapter-contract': the adapter contract (test/contract/cases.ts) on the real
// mdadm, fsfreeze, systemctl and BackupPC in the guest, with set A plugged in and the daemon
// held off by a runtime drop-in whose condition fails (so that only the contract touches the
// set: a plain stop is undone by the hotplug unit's Wants=baysync.service as soon as the set is
// plugged in, and the daemon's rotation then raced the contract, which is what failed it in CI;
// a runtime mask does not win over the unit in /etc). The same cases pass on the FakeSystem.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestNode } from '../../guest-install.js';
import type { LabSession } from '../../session.js';
import { Check } from '../assert.js';

export async function run(s: LabSession): Promise<void> {
  const dropIn = '/run/systemd/system/baysync.service.d';
  await s.vm.exec(['mkdir', '-p', dropIn]);
  await s.vm.writeFile(`${dropIn}/contract.conf`, '[Unit]\nConditionPathExists=/nonexistent/baysync-contract\n');
  await s.vm.exec(['systemctl', 'daemon-reload']);
  await s.vm.exec(['systemctl', 'stop', 'baysync.service']);
  await s.plug('A');
  await s.vm.exec(['udevadm', 'settle']);
  const from = join(process.cwd(), 'build/test/contract');
  const to = '/usr/lib/baysync/build/test/contract';
  await s.vm.exec(['mkdir', '-p', to]);
  for (const f of readdirSync(from).filter((n) => n.endsWith('.js')))
    await s.vm.writeFile(`${to}/${f}`, readFileSync(join(from, f)));
  const r = await s.vm.exec([guestNode, `${to}/guest.js`], { allowFailure: true, timeoutMs: 600_000 });
  const active = await s.vm.exec(['systemctl', 'is-active', 'baysync.service'], { allowFailure: true });
  await s.vm.exec(['rm', '-rf', dropIn]);
  await s.vm.exec(['systemctl', 'daemon-reload']);
  if (active.stdout.trim() === 'active')
    throw new Check(`the daemon ran during the contract (it must be held off): ${r.stdout}`);
  process.stdout.write(r.stdout);
  if (r.exitCode !== 0)
    throw new Check(`${r.exitCode} contract case(s) failed on the real tools:\n${r.stdout}${r.stderr}`);
}
