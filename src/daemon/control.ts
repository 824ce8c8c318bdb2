// The control socket protocol (/run/baysync/control.sock): one JSON request per line, one JSON
// reply per line: {"ok":true,"data":…} or {"ok":false,"error":"…"}, every request of a connection
// answered in order; the server ends the connection once the client has ended its side and every
// reply is out. Contract: the server validates every request shape (kernel names included,
// invariant 7) before a handler runs; the socket is created mode 0600 (root only); at most 64
// clients, an idle one is disconnected after 30 s, and close() ends every connection; the client
// times out instead of hanging.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type ControlRequest, requestSchema } from '../protocol.js';

export type { ControlRequest };

export type Handler = (req: ControlRequest) => Promise<unknown>;

export interface ControlServer {
  server: Server;
  /** Stop listening and close every client connection, idle ones included (a stop never waits for a client). */
  close(): Promise<void>;
}

/** At most this many clients at once; a client idle this long is disconnected. */
export const maxClients = 64;

export function serveControl(path: string, handle: Handler, idleMs = 30_000): ControlServer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  rmSync(path, { force: true });
  const clients = new Set<Socket>();
  const answer = async (line: string): Promise<unknown> => {
    try {
      const parsed = requestSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(
          `invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      return { ok: true, data: await handle(parsed.data) };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  };
  const server = createServer({ allowHalfOpen: true }, (sock: Socket) => {
    clients.add(sock);
    sock.on('close', () => clients.delete(sock));
    sock.setTimeout(idleMs, () => sock.destroy());
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    let buf = '';
    // Every request on the connection is answered, in order, one reply line each.
    let replies: Promise<void> = Promise.resolve();
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > 65536) {
        sock.end(`${JSON.stringify({ ok: false, error: 'request too large' })}\n`);
        return;
      }
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        replies = replies.then(async () => {
          const reply = await answer(line);
          if (!sock.destroyed) sock.write(`${JSON.stringify(reply)}\n`);
        });
      }
    });
    // The client has sent all it will: end once every reply is out.
    sock.on('end', () => {
      replies = replies.then(() => void sock.end());
    });
  });
  server.maxConnections = maxClients;
  server.listen(path, () => chmodSync(path, 0o600));
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of clients) c.destroy();
      }),
  };
}

export { DaemonUnreachable, request } from './control-client.js';
