import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveControl } from '../../src/daemon/control.js';
import { request } from '../../src/daemon/control-client.js';

describe('control socket', () => {
  it('answers a valid request, and refuses an invalid one before any handler runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ctl-')), 'control.sock');
    const seen: string[] = [];
    const server = serveControl(path, async (req) => {
      seen.push(req.cmd);
      return { pong: true };
    });
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      expect(await request(path, { cmd: 'ping' })).toEqual({ pong: true });
      await expect(request(path, { cmd: 'notify', action: 'add', kernel: 'sde;reboot' })).rejects.toThrow(
        /invalid request: kernel/,
      );
      expect(seen).toEqual(['ping']);
    } finally {
      server.close();
    }
  });
});
