// Parsers of rsync, ip and ping output, on outputs captured from the real tools
// (test/fixtures/net/README.md lists the commands).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePing } from '../../../src/system/parsers/ping.js';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/net/${f}`, import.meta.url), 'utf8');

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
  it("a probe that cannot run (ping's own error, not started, hung) is unknown, with ping's reason", () => {
    expect(parsePing(2, fx('ping-no-device.stdout'), fx('ping-no-device.stderr'))).toEqual({
      ok: false,
      unknown: true,
      reason: 'ping: SO_BINDTODEVICE nosuchif0: No such device',
    });
    expect(parsePing(127, '', 'cannot run ping: ENOENT').unknown).toBe(true);
    expect(parsePing(124, '', 'timed out after 2800 ms').unknown).toBe(true);
    expect(parsePing(1, fx('ping-no-reply.stdout'), fx('ping-no-reply.stderr')).unknown).toBeUndefined();
  });
});
