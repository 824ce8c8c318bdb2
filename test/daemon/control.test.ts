import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveControl } from '../../src/daemon/control.js';
import { request } from '../../src/daemon/control-client.js';

const sockPath = (): string => join(mkdtempSync(join(tmpdir(), 'ctl-')), 'control.sock');
const listening = (c: ReturnType<typeof serveControl>) =>
  new Promise<void>((r) => c.server.once('listening', () => r()));

describe('control socket', () => {
  it('answers a valid request, and refuses an invalid one before any handler runs', async () => {
    const path = sockPath();
    const seen: string[] = [];
    const c = serveControl(path, async (req) => {
      seen.push(req.cmd);
      return { pong: true };
    });
    await listening(c);
    try {
      expect(await request(path, { cmd: 'ping' })).toEqual({ pong: true });
      await expect(request(path, { cmd: 'notify', action: 'add', kernel: 'sde;reboot' })).rejects.toThrow(
        /invalid request: kernel/,
      );
      expect(seen).toEqual(['ping']);
    } finally {
      await c.close();
    }
  });

  it('answers every pipelined request of a connection, in order', async () => {
    const path = sockPath();
    const c = serveControl(path, async (req) => req.cmd);
    await listening(c);
    try {
      const replies = await new Promise<string>((resolve) => {
        let buf = '';
        const s = connect(path, () => s.end('{"cmd":"ping"}\n{"cmd":"status"}\n{"cmd":"plan"}\n'));
        s.setEncoding('utf8');
        s.on('data', (d: string) => {
          buf += d;
        });
        s.on('end', () => resolve(buf));
      });
      expect(
        replies
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).data),
      ).toEqual(['ping', 'status', 'plan']);
    } finally {
      await c.close();
    }
  });

  it('an idle client is disconnected after the idle time', async () => {
    const c = serveControl(sockPath(), async () => 'x', 200);
    await listening(c);
    try {
      await new Promise<void>((resolve) => {
        const idle = connect(c.server.address() as string);
        idle.on('close', () => resolve());
        idle.on('error', () => undefined);
      });
    } finally {
      await c.close();
    }
  });

  it('a stop does not wait for a silent client: it is disconnected at once', async () => {
    const c = serveControl(sockPath(), async () => 'x', 3_600_000);
    await listening(c);
    const silent = connect(c.server.address() as string);
    silent.on('error', () => undefined);
    await new Promise((r) => silent.once('connect', r));
    const silentClosed = new Promise<void>((r) => silent.once('close', () => r()));
    await c.close(); // systemctl stop hung on such a client before
    await silentClosed;
  });
});
