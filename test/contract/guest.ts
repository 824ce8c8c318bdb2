// The adapter contract (cases.ts) on the real tools, run inside the lab VM by the scenario
// adapter-contract: the installed config, the real CommandRunner, and md's own recovery waited
// for with `mdadm --wait`. Prints one line per case; exits with the number of failed cases.
import { loadConfig } from '../../src/config/load.js';
import { hasRotation } from '../../src/config/schema.js';
import { ExecRunner } from '../../src/system/runner.js';
import { runContract } from './cases.js';

const cfg = loadConfig(process.argv[2] ?? '/etc/baysync/baysync.toml');
if (!hasRotation(cfg)) throw new Error('the lab config has no rotation');
const runner = new ExecRunner();
const settle = async (mirror: string): Promise<void> => {
  await runner.run(['mdadm', '--wait', `/dev/${mirror}`], { allowFailure: true, timeoutMs: 600_000 });
};
const settleDevices = async (): Promise<void> => {
  await runner.run(['udevadm', 'settle', '--timeout=60'], { allowFailure: true, timeoutMs: 90_000 });
};
const diagnose = async (): Promise<string> => {
  const out = async (argv: string[], tail = 0): Promise<string> => {
    const r = await runner.run(argv, { allowFailure: true, quiet: true, timeoutMs: 30_000 });
    const text = `${r.stdout}${r.stderr}`.trimEnd();
    return `$ ${argv.join(' ')}\n${tail ? text.split('\n').slice(-tail).join('\n') : text}`;
  };
  return [
    await out(['cat', '/proc/mdstat']),
    await out(['ls', '-l', '/dev/md', '/dev/md5', '/dev/md8']),
    await out(['ls', '/sys/block']),
    await out(['dmesg'], 15),
    await out(['journalctl', '-n', '25', '--no-pager', '-o', 'short-monotonic'], 25),
  ].join('\n');
};
const { lines, failed } = await runContract({ cfg, runner, settle, settleDevices, diagnose });
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(failed);
