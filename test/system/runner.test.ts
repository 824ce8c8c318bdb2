// The one CommandRunner, on real processes: argv only (no shell), exit codes, stderr, timeouts.
import { describe, expect, it } from 'vitest';
import { CommandError, ExecRunner, exitNotStarted, exitTimedOut } from '../../src/system/runner.js';

const r = new ExecRunner();

describe('ExecRunner', () => {
  it('runs an argv with no shell: metacharacters are plain arguments', async () => {
    const res = await r.run(['printf', '%s|', 'a; reboot', '$(id)', '`x`']);
    expect(res.stdout).toBe('a; reboot|$(id)|`x`|');
  });

  it('a non-zero exit throws with the argv and stderr, unless allowed', async () => {
    const err = await r.run(['sh', '-c', 'echo nope >&2; exit 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).exitCode).toBe(3);
    expect((err as Error).message).toContain('nope');
    expect((await r.run(['false'], { allowFailure: true })).exitCode).toBe(1);
  });

  it('a command that cannot start, or runs past its timeout, has its own exit code', async () => {
    expect((await r.run(['/nonexistent/tool'], { allowFailure: true })).exitCode).toBe(exitNotStarted);
    const slow = await r.run(['sleep', '30'], { allowFailure: true, timeoutMs: 200 });
    expect(slow.exitCode).toBe(exitTimedOut);
  });
});
