// The control socket protocol (/run/baysync/control.sock): one JSON request per line, one JSON
// reply per line: {"ok":true,"data":…} or {"ok":false,"error":"…"}. Contract: the server
// validates every request shape (kernel names included, invariant 7) before a handler runs;
// the socket is created mode 0600 (root only); the client times out instead of hanging.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type ControlRequest, requestSchema } from '../protocol.js';

export type { ControlRequest };

export type Handler = (req: ControlRequest) => Promise<unknown>;

export function serveControl(path: string, handle: Handler): Server {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  rmSync(path, { force: true });
  const server = createServer((sock: Socket) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > 65536) {
        sock.end(`${JSON.stringify({ ok: false, error: 'request too large' })}\n`);
        return;
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      void (async () => {
        let reply: unknown;
        try {
          const parsed = requestSchema.safeParse(JSON.parse(line));
          if (!parsed.success)
            throw new Error(
              `invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            );
          reply = { ok: true, data: await handle(parsed.data) };
        } catch (e) {
          reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
        }
        sock.end(`${JSON.stringify(reply)}\n`);
      })();
    });
  });
  server.listen(path, () => chmodSync(path, 0o600));
  return server;
}

export { DaemonUnreachable, request } from './control-client.js';
