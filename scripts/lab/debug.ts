// Developer aid: boot a lab session (optionally with baysync installed) and run guest shell
// lines given as arguments, printing their output. `node build/scripts/lab/debug.js [--install] 'cmd' …`
// Besides shell lines: plug:A, unplug:A, unplugdisk:a1 (one disk), reset (QMP system_reset, then wait for the pool),
// put:HOSTFILE=GUESTFILE, sleep:SECONDS.

import { installBaysync } from './guest-install.js';
import { LabSession } from './session.js';

const args = process.argv.slice(2);
const s = new LabSession('debug');
await s.start();
try {
  if (args[0] === '--install') {
    args.shift();
    await installBaysync(s);
  }
  for (const a of args) {
    if (a.startsWith('plug:')) {
      await s.plug(a.slice(5) as 'A' | 'B');
      continue;
    }
    if (a.startsWith('unplugdisk:')) {
      await s.vm.unplug(a.slice(11));
      continue;
    }
    if (a.startsWith('unplug:')) {
      await s.unplug(a.slice(7) as 'A' | 'B');
      continue;
    }
    if (a === 'reset') {
      await s.vm.hardReset();
      await s.waitFor(['mountpoint', '-q', '/var/lib/backuppc'], 'the pool after the reset', 180_000);
      continue;
    }
    if (a.startsWith('put:')) {
      const [src, dst] = a.slice(4).split('=');
      await s.vm.writeFile(dst!, (await import('node:fs')).readFileSync(src!));
      continue;
    }
    if (a.startsWith('sleep:')) {
      await new Promise((r) => setTimeout(r, Number(a.slice(6)) * 1000));
      continue;
    }
    const r = await s.vm.exec(['sh', '-c', a], { allowFailure: true, timeoutMs: 600_000 });
    process.stdout.write(`$ ${a}\n[exit ${r.exitCode}]\n${r.stdout}${r.stderr}\n`);
  }
} finally {
  await s.close();
}
