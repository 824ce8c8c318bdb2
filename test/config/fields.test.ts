import { describe, expect, it } from 'vitest';
import { absPath, host, mdName, setName, uuid } from '../../src/config/fields.js';

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
