// The one CommandRunner: every external command baysync runs goes through here.
// Contract: commands are argv arrays (never a shell string); each call has a timeout and may
// take an AbortSignal; start, end, duration and stderr are logged. A non-zero exit throws a
// CommandError carrying argv, exit code and stderr, unless `allowFailure` is set, in which case
// the result is returned with its exit code. Tests substitute a fake with the same interface.
import { execa } from 'execa';
import { logger } from '../log.js';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string;
  allowFailure?: boolean;
  env?: Record<string, string>;
  /** Debug-level logging only (for frequent read-only queries). */
  quiet?: boolean;
}

export interface RunResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CommandRunner {
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Start a long-lived child (e.g. an inhibitor lock holder); kill() ends it. */
  spawnLongLived(argv: string[]): LongLived;
}

export interface LongLived {
  readonly pid: number | undefined;
  kill(): void;
  exited: Promise<number>;
}

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`command failed (exit ${exitCode}): ${argv.join(' ')}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    this.name = 'CommandError';
  }
}

const defaultTimeoutMs = 120_000;

export class ExecaRunner implements CommandRunner {
  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty argv');
    const log = logger().child({ mod: 'runner' });
    const started = Date.now();
    if (!opts.quiet) log.debug({ argv }, 'command start');
    const r = await execa(cmd, args, {
      reject: false,
      timeout: opts.timeoutMs ?? defaultTimeoutMs,
      cancelSignal: opts.signal,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      env: opts.env,
      stripFinalNewline: false,
    });
    const durationMs = Date.now() - started;
    const exitCode = r.exitCode ?? (r.timedOut ? 124 : r.isCanceled ? 130 : 1);
    const stderr = String(r.stderr ?? '');
    const res: RunResult = { argv, exitCode, stdout: String(r.stdout ?? ''), stderr, durationMs };
    const fields = { argv, exitCode, durationMs, ...(stderr.trim() ? { stderr: stderr.trim().slice(0, 2000) } : {}) };
    if (exitCode !== 0 && !opts.allowFailure) log.warn(fields, r.timedOut ? 'command timed out' : 'command failed');
    else if (opts.quiet) log.trace(fields, 'command end');
    else log.debug(fields, 'command end');
    if (r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled && !opts.allowFailure) {
      throw new CommandError(argv, exitCode, `${r.shortMessage ?? 'could not run'}`);
    }
    if (exitCode !== 0 && !opts.allowFailure) throw new CommandError(argv, exitCode, stderr, res.stdout);
    return res;
  }

  spawnLongLived(argv: string[]): LongLived {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty argv');
    const child = execa(cmd, args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
    logger().child({ mod: 'runner' }).debug({ argv, pid: child.pid }, 'long-lived command started');
    return {
      pid: child.pid,
      kill: () => {
        child.kill('SIGTERM');
      },
      exited: child.then((r) => r.exitCode ?? 0),
    };
  }
}
