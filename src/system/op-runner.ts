// The one executor of Ops: commands through the CommandRunner, sysfs attribute writes, and
// whole-file replacements. forStep() hands a step an exec() that runs only the ops its plan
// listed (the same objects `baysync plan` printed): anything else throws PlanDrift, so the plan
// cannot drift from what runs. Contract: exec() returns the command's result; a failed op
// throws unless it is `mayFail` (then the result carries the exit code and the error text).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../log.js';
import { replaceOwnedFile } from '../util/safe-file.js';
import { type Op, opKey, renderOp } from './op.js';
import type { CommandRunner, RunResult } from './runner.js';

export class PlanDrift extends Error {
  constructor(op: Op) {
    super(
      `internal error: the step tried to run an operation its plan did not list (${renderOp(op)}); nothing was run`,
    );
    this.name = 'PlanDrift';
  }
}

export type Exec = (op: Op) => Promise<RunResult>;

export class OpRunner {
  constructor(
    readonly runner: CommandRunner,
    /** Replaces a whole file (the BackupPC include) without following links (invariant 11). */
    private readonly writeWhole: (path: string, content: string) => void = (p, c) => replaceOwnedFile(p, c),
  ) {}

  async exec(op: Op): Promise<RunResult> {
    if (op.kind === 'run') {
      const r = await this.runner.run(op.argv, { timeoutMs: op.timeoutMs, allowFailure: op.mayFail });
      if (r.exitCode === 0 && op.awaitGone) await this.awaitGone(op.awaitGone);
      return r;
    }
    const argv = op.kind === 'write' ? ['write', op.path] : ['file', op.path];
    try {
      if (op.kind === 'write') await writeFile(op.path, op.data);
      else this.writeWhole(op.path, op.content);
      return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    } catch (e) {
      if (op.kind === 'write' && op.mayFail) return { argv, exitCode: 1, stdout: '', stderr: String(e), durationMs: 0 };
      throw e;
    }
  }

  /** Wait up to 10 s for the kernel to remove what the command ended (checked every 50 ms). */
  private async awaitGone(path: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (!existsSync(path)) return;
      await sleep(50);
    }
    logger().child({ mod: 'ops' }).warn({ path }, `${path} still present 10 s after the command; going on`);
  }

  /** An exec() limited to the planned ops; `onRun` sees each op before it runs. */
  forStep(planned: Op[], onRun?: (op: Op) => void): Exec {
    const allowed = new Set(planned.map(opKey));
    return (op) => {
      if (!allowed.has(opKey(op))) return Promise.reject(new PlanDrift(op));
      onRun?.(op);
      return this.exec(op);
    };
  }
}
