// A CommandRunner for unit tests that records every argv and answers each with `answer`
// (exit 0 and no output by default). No process is started.
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

export function recordingRunner(answer: (argv: string[]) => Partial<RunResult> = () => ({})): {
  runner: CommandRunner;
  calls: string[][];
} {
  const calls: string[][] = [];
  const runner = {
    run: async (argv: string[]) => {
      calls.push(argv);
      return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...answer(argv) };
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}
