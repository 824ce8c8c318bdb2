// The control socket client: one JSON request, one JSON reply (see control.ts for the server).
// Kept free of heavy imports so that `baysync notify`, run by udev for every hotplug event,
// starts fast. Contract: rejects with DaemonUnreachable when nothing listens, and times out
// instead of hanging.
import { connect } from 'node:net';

type Request = { cmd: string } & Record<string, unknown>;

export class DaemonUnreachable extends Error {}

export function request<T = unknown>(path: string, req: Request, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer from the daemon on ${path} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.end(`${JSON.stringify(req)}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DaemonUnreachable(
          `the baysync daemon is not running (${e.code ?? e.message} on ${path}); start it with \`systemctl start baysync\``,
        ),
      );
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(buf) as { ok: boolean; data?: T; error?: string };
        if (r.ok) resolve(r.data as T);
        else reject(new Error(r.error ?? 'daemon error'));
      } catch (e) {
        reject(new Error(`bad reply from the daemon: ${String(e)}`));
      }
    });
  });
}
