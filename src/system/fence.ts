// The configured fence command (failover.fence_command), run on this host before a takeover:
// for example a BMC's power-off (ipmitool … chassis power off), which works when the main server
// is dead too. Contract: argv only, never a shell; the command's exit code is the answer (0:
// fenced); it never throws (a command that cannot start is a failed fence with its reason).
import type { CommandRunner, RunResult } from './runner.js';

export class FenceAdapter {
  constructor(private readonly runner: CommandRunner) {}

  run(argv: string[], timeoutMs = 30_000): Promise<RunResult> {
    return this.runner.run(argv, { allowFailure: true, timeoutMs });
  }
}
