// `baysync verify`: the daemon's verdict printed with what it proved; exit 0 proved, 1 damage,
// 2 INCONCLUSIVE.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../src/cli/verify.js';
import { type ControlServer, serveControl } from '../../src/daemon/control.js';

let srv: ControlServer | undefined;
afterEach(async () => {
  await srv?.close();
  vi.restoreAllMocks();
});

async function daemonAnswering(v: Record<string, unknown>): Promise<string> {
  const sock = join(mkdtempSync(join(tmpdir(), 'verify-')), 'control.sock');
  srv = serveControl(sock, async () => ({ sampled: 20, mismatched: [], markerFound: true, ...v }));
  await new Promise<void>((r) => srv!.server.once('listening', () => r()));
  return sock;
}

describe('verifyCommand', () => {
  it.each([
    ['ok', true, 0, 'OK: proved 99.5 %'],
    ['failed', false, 1, 'FAILED: 3 chunks differ'],
    ['inconclusive', false, 2, 'INCONCLUSIVE: only 10 %'],
  ] as const)('verdict %s: exit %i', async (verdict, ok, code, line) => {
    const sock = await daemonAnswering({ verdict, ok, detail: line.split(': ')[1] });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await verifyCommand(sock, 'A', false)).toBe(code);
    expect(String(out.mock.calls[0]?.[0])).toBe(`${line}\n`);
  });

  it("--json prints the daemon's result whole", async () => {
    const sock = await daemonAnswering({ verdict: 'ok', ok: true, detail: 'proved 100 %', proved: 'proved 100 %' });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await verifyCommand(sock, 'A', true)).toBe(0);
    expect(JSON.parse(String(out.mock.calls[0]?.[0]))).toMatchObject({ verdict: 'ok', proved: 'proved 100 %' });
  });
});
