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
const { lines, failed } = await runContract({ cfg, runner, settle, settleDevices });
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(failed);
