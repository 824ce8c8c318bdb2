// Issue 11 on the daemon over the fake system: a copy damaged behind md's back fails, chunks the
// pool wrote since the split are skipped (not blamed), a filesystem check that finds damage
// fails, and the proved share reaches the mail, the history and `baysync status`.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/system/runner.js';
import { type Harness, startHarness, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Rotate set A; `atVerify` acts on the fake once the copy is read-only, before it is checked. */
async function rotateA(atVerify: (hh: Harness) => void, policy = ''): Promise<{ subject: string; text: string }> {
  h = await startHarness({ policy: `verify_min_files = 1\n${policy}` });
  const sys = h.lab.sys;
  const run = sys.run.bind(sys);
  sys.run = async (argv: string[], o?: RunOptions) => {
    if (argv[0] === 'losetup' && argv.includes('--find')) {
      atVerify(h!);
      sys.sync();
    }
    return run(argv, o);
  };
  await new Promise((r) => setTimeout(r, 2500)); // files older than the detach
  await h.plug('A');
  await h.waitPhase('syncing');
  sys.completeSync('md1');
  sys.completeSync('md5');
  const m = await h.smtp.waitFor((x) => x.subject.includes('set A'));
  await waitUntil(() => !h!.daemon.rotation!.engine.state.rotation, 'rotation end');
  return m;
}

describe('the verification proves the copy (issue 11)', () => {
  it('the corrupted copy fails: a few bytes overwritten on the detached stripe', async () => {
    const m = await rotateA((hh) => hh.lab.sys.damage.set('md8', 300 * 1024 * 1024 + 17));
    expect(m.subject).toMatch(/VERIFICATION FAILED/);
    expect(m.text).toMatch(/1 chunks differ from the live half although the pool did not write them since the split/);
  });

  it('the untouched copy passes with its proved share; chunks written since the split are skipped', async () => {
    const m = await rotateA((hh) => {
      hh.lab.sys.poolWrites = [5 * 65536 + 3, 400 * 1024 * 1024];
    });
    expect(m.subject).toMatch(/safe to remove/);
    expect(m.text).toMatch(
      /proved 99.9 % of 440.0 MiB block by block \(7038 of 7040 chunks of 64.0 KiB identical, 2 skipped/,
    );
    const st = h!.daemon.status();
    expect(st.sets.find((s) => s.name === 'A')?.lastProved).toMatch(/^proved 99.9 %/);
    expect(st.history[0]?.summary).toMatch(/proved 99.9 %/);
  });

  it('a filesystem check that finds damage fails the copy', async () => {
    const m = await rotateA((hh) => {
      hh.lab.sys.fsckExit = 1;
    });
    expect(m.subject).toMatch(/VERIFICATION FAILED/);
    expect(m.text).toMatch(/xfs_repair -n found damage \(exit 1\)/);
  });

  it('a copy too little compared is INCONCLUSIVE, never OK', async () => {
    const m = await rotateA((hh) => {
      hh.lab.sys.poolWrites = [0, 65536];
    }, 'verify_min_proved_percent = 100');
    expect(m.subject).toMatch(/verification INCONCLUSIVE/);
    expect(m.text).toMatch(/only 99.9 % of the copy proved block by block \(minimum 100 %\)/);
    expect(h!.daemon.status().history[0]?.outcome).toBe('inconclusive');
  });
});
