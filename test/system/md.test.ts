import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MdAdapter } from '../../src/system/md.js';
import { mdOps } from '../../src/system/md-ops.js';
import { renderOp } from '../../src/system/op.js';
import type { CommandRunner, RunResult } from '../../src/system/runner.js';

function scripted(fail: (argv: string[]) => boolean): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner = {
    run: async (argv: string[]) => {
      calls.push(argv.join(' '));
      return { exitCode: fail(argv) ? 1 : 0, stdout: '', stderr: '' } as RunResult;
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

describe('mdOps.failAndRemove', () => {
  it('lists one combined call, then per-member fallbacks', () => {
    const ops = mdOps.failAndRemove('md1', ['sde1', 'sdf1']);
    expect(ops.map(renderOp)).toEqual([
      'mdadm /dev/md1 --fail /dev/sde1 --remove /dev/sde1 --fail /dev/sdf1 --remove /dev/sdf1',
      '(if that fails) mdadm /dev/md1 --fail /dev/sde1',
      '(if that fails) mdadm /dev/md1 --remove /dev/sde1',
      '(if that fails) mdadm /dev/md1 --fail /dev/sdf1',
      '(if that fails) mdadm /dev/md1 --remove /dev/sdf1',
    ]);
  });

  it('refuses a device name that is not a kernel name (invariant 7)', () => {
    expect(() => mdOps.failAndRemove('md1', ['sde1; rm -rf /'])).toThrow();
  });
});

describe('MdAdapter.listArrays after its own assembly', () => {
  /** A system with only md8 (a stripe of the given members) in mdstat and sysfs, and no md-uuid links yet. */
  function system(members: string[]): { sys: string; proc: string; dev: string } {
    const root = mkdtempSync(join(tmpdir(), 'md-'));
    const sys = join(root, 'sys');
    const proc = join(root, 'proc');
    mkdirSync(proc, { recursive: true });
    mkdirSync(join(root, 'dev/disk/by-id'), { recursive: true });
    writeFileSync(
      join(proc, 'mdstat'),
      `Personalities : [raid0]\nmd8 : active raid0 ${members.map((m, i) => `${m}[${i}]`).join(' ')}\n      450560 blocks super 1.2 512k chunks\n\nunused devices: <none>\n`,
    );
    mkdirSync(join(sys, 'block/md8/md'), { recursive: true });
    writeFileSync(join(sys, 'block/md8/md/array_state'), 'clean\n');
    for (const m of members) {
      mkdirSync(join(sys, `block/md8/md/dev-${m}`), { recursive: true });
      writeFileSync(join(sys, `block/md8/md/dev-${m}/state`), 'in_sync\n');
    }
    return { sys, proc, dev: join(root, 'dev') };
  }
  const uuid = 'f0d3c317:da7d71e6:961d3299:ce3aef23';

  it('knows the UUID of the stripe it just assembled without running mdadm --detail', async () => {
    const { sys, proc, dev } = system(['sde2', 'sdf2']);
    const { runner, calls } = scripted(() => false);
    const md = new MdAdapter(runner, sys, proc, dev);
    md.noteAssembled('md8', uuid, ['sdf2', 'sde2']);
    const arrays = await md.listArrays();
    expect(arrays.find((a) => a.name === 'md8')?.uuid).toBe('f0d3c317da7d71e6961d3299ce3aef23');
    expect(calls.filter((c) => c.includes('--detail'))).toEqual([]);
  });

  it('asks mdadm again once md8 holds other members (another array under that name)', async () => {
    const { sys, proc, dev } = system(['sdg2', 'sdh2']);
    const { runner, calls } = scripted(() => false);
    const md = new MdAdapter(runner, sys, proc, dev);
    md.noteAssembled('md8', uuid, ['sde2', 'sdf2']);
    await md.listArrays();
    expect(calls.filter((c) => c.includes('--detail'))).toEqual(['mdadm --detail --export /dev/md8']);
  });
});

describe('MdAdapter.probe (issue 10: a hung device read must not block a scan)', () => {
  it('a read that does not answer is given up after the timeout, the device taken as unreadable and left alone after', async () => {
    const dev = mkdtempSync(join(tmpdir(), 'dev-'));
    // A FIFO with no writer: opening it for reading blocks, as a read from a hung disk does.
    execFileSync('mkfifo', [join(dev, 'sdz')]);
    const { runner, calls } = scripted(() => false);
    const md = new MdAdapter(runner, '/nonexistent', '/nonexistent', dev, 200);
    const t0 = Date.now();
    expect(await md.probe('sdz', 1 << 30)).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(await md.probe('sdz', 1 << 30)).toBeUndefined(); // skipped: no second hung read
    expect(calls).toEqual([]);
    // Release the thread still blocked in open() (a writer makes it return).
    openSync(join(dev, 'sdz'), 'w');
  });
});
