import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';
import { SystemdAdapter } from '../../src/system/systemd.js';
import { recordingRunner } from '../helpers/recording-runner.js';

/** A runner whose calls stay pending until release() is called. */
function heldRunner(): { runner: CommandRunner; calls: string[][]; release: () => void } {
  const calls: string[][] = [];
  const waiting: Array<() => void> = [];
  const runner = {
    run: (argv: string[]) => {
      calls.push(argv);
      return new Promise<RunResult>((r) => waiting.push(() => r({ exitCode: 0, stdout: '', stderr: '' } as RunResult)));
    },
    spawnLongLived: () => {
      throw new Error('not used');
    },
  } as unknown as CommandRunner;
  return {
    runner,
    calls,
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
  };
}

describe('SystemdAdapter.status', () => {
  it('runs one systemd-notify at a time and then sends only the newest status', async () => {
    const { runner, calls, release } = heldRunner();
    const sd = new SystemdAdapter(runner, { NOTIFY_SOCKET: '/run/systemd/notify' }, 0);
    const first = sd.status('set A: checking');
    void sd.status('set A: assembling');
    const last = sd.status('set A: joining');
    expect(calls.map((c) => c.at(-1))).toEqual(['STATUS=set A: checking']);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.map((c) => c.at(-1))).toEqual(['STATUS=set A: checking', 'STATUS=set A: joining']);
    release();
    await Promise.all([first, last]);
    expect(calls).toHaveLength(2);
  });

  it('sends at most one status a second, the newest text last', async () => {
    const { runner, calls, release } = heldRunner();
    const sd = new SystemdAdapter(runner, { NOTIFY_SOCKET: '/run/systemd/notify' }, 200);
    const t0 = Date.now();
    void sd.status('set A: checking');
    release();
    await new Promise((r) => setTimeout(r, 20));
    void sd.status('set A: assembling');
    const last = sd.status('set A: joining');
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.map((c) => c.at(-1))).toEqual(['STATUS=set A: checking']);
    await new Promise((r) => setTimeout(r, 250));
    expect(calls.map((c) => c.at(-1))).toEqual(['STATUS=set A: checking', 'STATUS=set A: joining']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    release();
    await last;
  });

  it('does nothing outside systemd', async () => {
    const { runner, calls } = heldRunner();
    await new SystemdAdapter(runner, {}).status('idle');
    expect(calls).toHaveLength(0);
  });
});

describe('systemctl start|stop of configured units', () => {
  it('puts -- before the unit names from the config', async () => {
    const { runner, calls } = recordingRunner();
    const booted = mkdtempSync(join(tmpdir(), 'sd-'));
    await new SystemdAdapter(runner, {}, 1000, booted).units('stop', ['baysync-sync.timer']);
    expect(calls).toEqual([['systemctl', 'stop', '--', 'baysync-sync.timer']]);
  });
});
