// `baysync doctor` on a system tree of the FakeSystem: the mdadm.conf check of invariant 2 (the
// initramfs copy too), and what it says to do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMdEventHook, doctor } from '../../src/cli/doctor.js';
import { loadConfig } from '../../src/config/load.js';
import { mdadmUuid } from '../../src/util/names.js';
import { type LabLike, seedTopology } from '../helpers/fake-system.js';

let lab: LabLike | undefined;
afterEach(() => lab?.sys.cleanup());

describe('baysync doctor', () => {
  it('a set that mdadm.conf would assemble at boot fails, with the line to use instead', async () => {
    lab = seedTopology();
    const root = lab.sys.path('');
    mkdirSync(join(root, 'etc/mdadm'), { recursive: true });
    writeFileSync(
      join(root, 'etc/mdadm/mdadm.conf'),
      `ARRAY <ignore> UUID=${mdadmUuid(lab.uuids.md9)}\nARRAY /dev/md8 UUID=${mdadmUuid(lab.uuids.md8)}\n`,
    );
    const findings = await doctor({
      cfg: loadConfig(lab.configPath),
      runner: lab.sys,
      root,
      kernelRelease: '6.1.0-test',
    });
    const a = findings.find((f) => f.check === 'set A never auto-assembled (/etc/mdadm/mdadm.conf)');
    const b = findings.find((f) => f.check === 'set B never auto-assembled (/etc/mdadm/mdadm.conf)');
    expect(a).toMatchObject({
      level: 'fail',
      detail: 'line 2 would assemble it at boot',
      fix: expect.stringContaining('ARRAY <ignore>'),
    });
    expect(b).toMatchObject({ level: 'ok' });
    expect(findings.some((f) => f.check === 'initramfs mdadm.conf' && f.level !== 'ok')).toBe(true);
  });

  it('recommends a write-intent bitmap on the top mirror, and says why (issue 11)', async () => {
    lab = seedTopology(); // md7 without a bitmap, as the lab had it
    const cfg = loadConfig(lab.configPath);
    // root '/': the config's paths are the fake tree's absolute paths.
    const opts = { cfg, runner: lab.sys, root: '/', kernelRelease: '6.1.0-test' };
    expect((await doctor(opts)).find((f) => f.check === 'top mirror')).toMatchObject({
      level: 'warn',
      detail: expect.stringMatching(/power cut during a detach .* full resync of the whole pool/),
      fix: 'mdadm --grow --bitmap=internal /dev/md7',
    });
    lab.sys.arrays.get('md7')!.bitmap = true;
    lab.sys.sync();
    expect((await doctor(opts)).find((f) => f.check === 'top mirror')).toMatchObject({ level: 'ok' });
  });

  it("checks mdadm's PROGRAM hook: baysync's wrapper, another program, or none", () => {
    expect(checkMdEventHook('PROGRAM /usr/lib/baysync/mdadm-event\n')).toMatchObject({ level: 'ok' });
    expect(checkMdEventHook('prog /usr/lib/baysync/mdadm-event # abbreviated keyword\n')).toMatchObject({
      level: 'ok',
    });
    expect(checkMdEventHook('PROGRAM /usr/local/sbin/page-me\n')).toMatchObject({
      level: 'warn',
      detail: expect.stringContaining('PROGRAM is /usr/local/sbin/page-me'),
      fix: expect.stringContaining('/usr/lib/baysync/mdadm-event "$@"'),
    });
    expect(checkMdEventHook('ARRAY /dev/md1 UUID=1:2:3:4\n# PROGRAM /usr/lib/baysync/mdadm-event\n')).toMatchObject({
      level: 'warn',
      fix: expect.stringContaining('PROGRAM /usr/lib/baysync/mdadm-event'),
    });
  });
});
