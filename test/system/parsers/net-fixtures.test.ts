// Parsers of rsync, ip and ping output, on outputs captured from the real tools
// (test/fixtures/net/README.md lists the commands).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpAddr } from '../../../src/system/parsers/ip-addr.js';
import { parsePing } from '../../../src/system/parsers/ping.js';
import { parseRsyncStats, rsyncExitMeaning } from '../../../src/system/parsers/rsync-stats.js';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/net/${f}`, import.meta.url), 'utf8');

describe('rsync --stats', () => {
  it('a first run: counts, sizes and bytes, thousands separators included', () => {
    expect(parseRsyncStats(fx('rsync-stats-first.txt'))).toEqual({
      files: 5,
      regularFiles: 3,
      created: 4,
      deleted: 1,
      transferred: 3,
      totalSize: 100_004,
      transferredSize: 100_004,
      bytesSent: 100_288,
      bytesReceived: 91,
    });
  });
  it('a dry run with nothing to do', () => {
    expect(parseRsyncStats(fx('rsync-stats-dry-run.txt'))).toMatchObject({
      files: 5,
      created: 0,
      deleted: 0,
      transferred: 0,
    });
  });
  it('the --max-delete stop: exit 25 is a failure with its meaning', () => {
    expect(parseRsyncStats(fx('rsync-stats-max-delete.txt')).deleted).toBe(1);
    expect(fx('rsync-stderr-max-delete.txt')).toContain('(code 25)');
    expect(rsyncExitMeaning(25)).toEqual({ ok: false, text: 'the --max-delete limit stopped deletions' });
    expect(rsyncExitMeaning(24).ok).toBe(true);
    expect(rsyncExitMeaning(255).text).toMatch(/ssh failed/);
  });
});

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

describe('ping -c 1', () => {
  it('a reply with its round trip', () => {
    expect(parsePing(0, fx('ping-ok.txt'), '')).toEqual({ ok: true, rttMs: 0.065 });
  });
  it('no reply', () => {
    expect(parsePing(1, fx('ping-no-reply.stdout'), fx('ping-no-reply.stderr'))).toEqual({
      ok: false,
      reason: 'no reply',
    });
    expect(parsePing(1, fx('ping-off-subnet.stdout'), fx('ping-off-subnet.stderr')).ok).toBe(false);
  });
  it("ping's own error is the reason", () => {
    expect(parsePing(2, '', 'ping: SO_BINDTODEVICE eth9: No such device\n')).toEqual({
      ok: false,
      reason: 'ping: SO_BINDTODEVICE eth9: No such device',
    });
  });
});
