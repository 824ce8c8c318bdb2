// Parsers of rsync, ip and ping output, on outputs captured from the real tools
// (test/fixtures/net/README.md lists the commands).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpAddr } from '../../../src/system/parsers/ip-addr.js';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/net/${f}`, import.meta.url), 'utf8');

describe('ip -j addr', () => {
  it('addresses with prefixes, and the link flags', () => {
    expect(parseIpAddr(fx('ip-addr-lo.json'))).toEqual([
      { name: 'lo', up: true, operstate: 'UNKNOWN', addresses: ['127.0.0.1/8', '::1/128'] },
    ]);
    expect(parseIpAddr(fx('ip-addr-veth.json'))[0]).toMatchObject({
      name: 'v0',
      up: true,
      addresses: expect.arrayContaining(['10.9.8.1/24']),
    });
    expect(parseIpAddr(fx('ip-addr-veth-no-carrier.json'))[0]).toMatchObject({ up: true, operstate: 'LOWERLAYERDOWN' });
  });
  it('rejects what is not iproute2 JSON', () => {
    expect(() => parseIpAddr('{"x":1}')).toThrow(/expected a JSON array/);
  });
});
