import { describe, expect, it } from 'vitest';
import { absPath, host, mdName, relativeName, setName, unitName, uuid } from '../../src/config/fields.js';

describe('config field types', () => {
  it('an md UUID in mdadm form is normalized; anything else is refused with an example', () => {
    expect(uuid.parse('4f1b2c3d:5e6f7a8b:9c0d1e2f:3a4b5c6d')).toBe('4f1b2c3d5e6f7a8b9c0d1e2f3a4b5c6d');
    expect(uuid.safeParse('not-a-uuid').error?.issues[0]?.message).toMatch(/mdadm --detail/);
  });

  it('names and paths cannot smuggle options or paths', () => {
    expect(setName.safeParse('A').success).toBe(true);
    for (const bad of ['../A', '-A', 'A B', '']) expect(setName.safeParse(bad).success, bad).toBe(false);
    expect(mdName.safeParse('md8; rm').success).toBe(false);
    expect(absPath.safeParse('relative/path').success).toBe(false);
    expect(host.safeParse('-oProxyCommand=x').success).toBe(false);
  });
});

describe('config values that could become options or paths (issue 10, section 5)', () => {
  it('a unit name cannot start with "-"', () => {
    expect(unitName.safeParse('--no-block').success).toBe(false);
    expect(unitName.safeParse('-x.service').success).toBe(false);
    expect(unitName.safeParse('backuppc.service').success).toBe(true);
  });

  it('paths refuse control characters, ";" and ".." segments', () => {
    for (const bad of ['/srv/a;reboot', '/srv/a\nb', '/srv/../etc', '/srv/\u007f'])
      expect(absPath.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(absPath.safeParse('/var/lib/backuppc').success).toBe(true);
  });

  it('a host with ":" (rsync daemon syntax) is refused with what to do', () => {
    expect(host.safeParse('fe80::1').error?.issues[0]?.message).toMatch(/IPv6 host a name/);
    expect(host.safeParse('10.168.1.1').success).toBe(true);
  });

  it('the marker directory is a relative path without "." or ".." segments', () => {
    for (const bad of ['..', '../etc', 'pc/../..', '/pc', 'pc/', '.'])
      expect(relativeName.safeParse(bad).success, bad).toBe(false);
    expect(relativeName.safeParse('pc/localhost').success).toBe(true);
  });
});
