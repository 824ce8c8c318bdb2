// The control socket protocol (/run/baysync/control.sock): one JSON request per line, one JSON
// reply per line: {"ok":true,"data":…} or {"ok":false,"error":"…"}. Contract: the server
// validates every request shape (kernel names included, invariant 7) before a handler runs;
// the socket is created mode 0600 (root only); the client times out instead of hanging.
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const kname = z.string().regex(/^[a-z0-9]+$/, 'a kernel device name');
const setName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/);

export const requestSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('ping') }),
  z.object({ cmd: z.literal('status') }),
  z.object({ cmd: z.literal('plan') }),
  z.object({ cmd: z.literal('notify'), action: z.enum(['add', 'remove', 'change']), kernel: kname }),
  z.object({ cmd: z.literal('md-event'), event: z.string().regex(/^[A-Za-z]{1,40}$/), device: z.string().regex(/^\/dev\/[a-z0-9/_.-]+$/).max(64), component: z.string().regex(/^\/dev\/[a-z0-9/_.-]+$/).max(64).optional() }),
  z.object({ cmd: z.literal('rotate'), action: z.enum(['start', 'finish', 'abort']), set: setName.optional() }),
  z.object({ cmd: z.literal('verify'), set: setName }),
  z.object({ cmd: z.literal('failover'), action: z.enum(['status', 'begin-failback', 'resume', 'cancel-failback']) }),
]);

export type ControlRequest = z.infer<typeof requestSchema>;
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
          if (!parsed.success) throw new Error(`invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
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

export { request, DaemonUnreachable } from './control-client.js';
