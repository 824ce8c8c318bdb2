import { describe, expect, it } from 'vitest';
import { parseMdadmConf, stripeIgnoreProblem } from '../../../src/system/parsers/mdadm-conf.js';

const A = '00000008:00000000:00000000:00000008';
const a = '00000008000000000000000000000008';

describe('mdadm.conf ARRAY lines (invariant 2)', () => {
  it('an ignored stripe passes; an assembled one, or a missing line, is the problem', () => {
    expect(stripeIgnoreProblem(parseMdadmConf(`# sets\nARRAY <ignore>\n   UUID=${A}\n`), a)).toBeUndefined();
    expect(stripeIgnoreProblem(parseMdadmConf(`ARRAY /dev/md8 metadata=1.2 UUID=${A}\n`), a)).toBe(
      'line 1 would assemble it at boot',
    );
    expect(stripeIgnoreProblem(parseMdadmConf('ARRAY /dev/md5 UUID=00000005:00000000:00000000:00000005\n'), a)).toMatch(
      /no `ARRAY <ignore>`/,
    );
  });
});
