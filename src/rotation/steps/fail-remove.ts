// Running the planned fail-and-remove ops of md (md.ts mdOps.failAndRemove): the one combined
// call, and when it fails, the per-member fallbacks for the members sysfs still lists, so the
// error names the member. Contract: runs only ops it was given.

import type { Op } from '../../system/op.js';
import type { Exec } from '../../system/op-runner.js';
import type { RunCtx } from './context.js';

export async function runFailAndRemove(c: RunCtx, exec: Exec, ops: Op[], mirror: string | undefined): Promise<void> {
  const [all, ...fallbacks] = ops;
  if (!all || !mirror) return;
  const res = await exec(all);
  if (res.exitCode === 0) return;
  const still = new Set((await c.a.md.sysfsState(mirror)).members.map((m) => `/dev/${m.dev}`));
  for (let i = 0; i + 1 < fallbacks.length; i += 2) {
    const [fail, remove] = [fallbacks[i]!, fallbacks[i + 1]!];
    if (fail.kind !== 'run' || !still.has(fail.argv[3]!)) continue;
    await exec(fail);
    await exec(remove); // throws with mdadm's stderr when the member cannot be removed
  }
}
