// A newline-delimited JSON client over a unix socket, the wire format shared by QMP and the
// qemu guest agent. Contract: request() sends one command and resolves with its "return"
// or rejects with its "error"; asynchronous events (QMP) go to the onEvent callback. A request
// that gets no reply within its timeout rejects and drops the connection (replies are matched
// in order, so one lost reply would shift all later ones): a hung guest never hangs the lab.
import { connect, type Socket } from 'node:net';
import { sleep } from './common.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class JsonSocket {
  private sock: Socket | undefined;
  private buf = '';
  private queue: Pending[] = [];
  onEvent: (ev: { event: string; data?: unknown }) => void = () => undefined;

  constructor(private readonly path: string) {}

  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect(this.path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`cannot connect to ${this.path}: ${String(e)}`);
        await sleep(200);
      }
    }
    const sock = this.sock;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      if (this.sock === sock) this.onData(d);
    });
    sock.on('close', () => {
      if (this.sock !== sock) return; // an earlier connection closing must not fail the current one
      for (const p of this.queue.splice(0)) p.reject(new Error(`${this.path}: connection closed`));
    });
  }

  private onData(d: string): void {
    this.buf += d;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      // The guest agent may prefix a reply with 0xFF after guest-sync-delimited.
      const msg = JSON.parse(line.replace(/^\xff/, '')) as Record<string, unknown>;
      if ('event' in msg) {
        this.onEvent(msg as { event: string; data?: unknown });
      } else if ('QMP' in msg) {
        // greeting
      } else {
        const p = this.queue.shift();
        if (!p) continue;
        if ('error' in msg) p.reject(new Error(JSON.stringify(msg.error)));
        else p.resolve(msg.return);
      }
    }
  }

  request<T = unknown>(execute: string, args?: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const sock = this.sock;
    if (!sock) return Promise.reject(new Error(`${this.path}: not connected`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.path}: no reply to ${execute} within ${timeoutMs / 1000} s`));
        this.reset();
        this.close();
      }, timeoutMs);
      const done =
        <A>(f: (a: A) => void) =>
        (a: A): void => {
          clearTimeout(timer);
          f(a);
        };
      this.queue.push({ resolve: done(resolve as (v: unknown) => void), reject: done(reject) });
      sock.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    });
  }

  /** Drop replies still queued (used after a guest-sync timeout). */
  reset(): void {
    for (const p of this.queue.splice(0)) p.reject(new Error('reset'));
    this.buf = '';
  }

  close(): void {
    this.sock?.destroy();
    this.sock = undefined;
  }
}
