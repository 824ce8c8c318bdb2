// The lab VM: boots the cached Debian image under qemu (TCG), drives it through QMP
// (hotplug, reset, power) and the qemu guest agent (commands in the guest), with no guest
// network at all (-nic none). Contract: exec() runs an argv in the guest and returns its
// exit code and output (never a shell string unless the caller explicitly runs a shell
// there for a test fixture); plug()/unplug() hot-add and remove a qcow2 disk on the
// external virtio-scsi controller and wait for QEMU to confirm. A guest that does not come up
// (no agent reply, or a kernel soft lockup on the console) fails boot() with a GuestHangError;
// shutdown() always ends, with SIGKILL if the guest does not power off.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, sleep } from './common.js';
import { hangSignature } from './console.js';
import type { LabImage } from './image.js';
import { JsonSocket } from './jsonsock.js';
import { type DiskSpec, qemuArgs } from './qemu.js';

export { qcow2Blank, qcow2Overlay } from './qemu.js';
export type { DiskSpec };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class GuestCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly result: ExecResult,
  ) {
    super(`guest command failed (exit ${result.exitCode}): ${argv.join(' ')}\n${result.stderr}${result.stdout}`);
  }
}

/** The guest did not come up: its agent never answered, or its kernel is stuck. */
export class GuestHangError extends Error {}

/** How long a boot may take before the guest counts as hung (normal boots answer in ~20 s). */
const bootTimeoutMs = (): number => Number(process.env.LAB_BOOT_TIMEOUT_S ?? 180) * 1000;

export class Vm {
  private proc: ChildProcess | undefined;
  readonly qmp: JsonSocket;
  private qga: JsonSocket;
  private events: Array<{ event: string; data?: unknown }> = [];
  private plugged = new Set<string>();

  constructor(
    readonly workDir: string,
    readonly image: LabImage,
    readonly rootDisk: string,
    readonly internalDisks: DiskSpec[],
    readonly initrd: string = image.initrd,
  ) {
    mkdirSync(workDir, { recursive: true });
    this.qmp = new JsonSocket(join(workDir, 'qmp.sock'));
    this.qga = new JsonSocket(join(workDir, 'qga.sock'));
    this.qmp.onEvent = (ev) => this.events.push(ev);
  }

  get consoleLog(): string {
    return join(this.workDir, 'console.log');
  }

  async boot(opts: { paused?: boolean } = {}): Promise<void> {
    for (const s of ['qmp.sock', 'qga.sock']) rmSync(join(this.workDir, s), { force: true });
    const args = qemuArgs({
      ...this.image,
      initrd: this.initrd,
      workDir: this.workDir,
      consoleLog: this.consoleLog,
      rootDisk: this.rootDisk,
      internalDisks: this.internalDisks,
    });
    if (opts.paused) args.push('-S'); // lab self-test of the hang handling: the vCPUs never start
    log(`booting VM in ${this.workDir}`);
    const started = Date.now();
    this.proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    this.proc.on('exit', (code, signal) => log(`qemu exited (${code ?? signal})`));
    await this.qmp.connect();
    await this.qmp.request('qmp_capabilities');
    await this.waitAgent(bootTimeoutMs());
    log(`guest agent answered after ${Math.round((Date.now() - started) / 1000)} s`);
  }

  /** Serial console text from byte `from` on ('' before qemu has created the file). */
  private consoleFrom(from: number): string {
    return existsSync(this.consoleLog) ? readFileSync(this.consoleLog).subarray(from).toString('utf8') : '';
  }

  private async waitAgent(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Only what this boot printed counts: after a reset qemu appends to the same console file.
    const consoleStart = existsSync(this.consoleLog) ? statSync(this.consoleLog).size : 0;
    for (;;) {
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined)
        throw new Error(`qemu exited during boot; see ${this.consoleLog}`);
      try {
        this.qga.close();
        await this.qga.connect(5_000);
        const id = Math.floor(Math.random() * 1e9);
        const r = await Promise.race([this.qga.request<number>('guest-sync', { id }), sleep(3_000).then(() => -1)]);
        if (r === id) return;
      } catch {
        // not up yet
      }
      this.qga.reset();
      const stuck = hangSignature(this.consoleFrom(consoleStart));
      if (stuck) throw new GuestHangError(`the guest kernel is stuck ("${stuck}"); see ${this.consoleLog}`);
      if (Date.now() > deadline)
        throw new GuestHangError(`guest agent did not answer within ${timeoutMs / 1000} s; see ${this.consoleLog}`);
      await sleep(1_000);
    }
  }

  /** Run argv in the guest. Rejects on non-zero exit unless allowFailure. */
  async exec(
    argv: string[],
    opts: { input?: string; allowFailure?: boolean; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const [path, ...arg] = argv;
    if (process.env.LAB_TRACE) log(`guest$ ${argv.join(' ')}`);
    const req: Record<string, unknown> = { path, arg, 'capture-output': true };
    if (opts.input !== undefined) req['input-data'] = Buffer.from(opts.input).toString('base64');
    const { pid } = await this.qga.request<{ pid: number }>('guest-exec', req);
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const st = await this.qga.request<{
        exited: boolean;
        exitcode?: number;
        signal?: number;
        'out-data'?: string;
        'err-data'?: string;
      }>('guest-exec-status', { pid });
      if (st.exited) {
        const res: ExecResult = {
          exitCode: st.exitcode ?? 128 + (st.signal ?? 0),
          stdout: Buffer.from(st['out-data'] ?? '', 'base64').toString('utf8'),
          stderr: Buffer.from(st['err-data'] ?? '', 'base64').toString('utf8'),
        };
        if (res.exitCode !== 0 && !opts.allowFailure) throw new GuestCommandError(argv, res);
        return res;
      }
      if (Date.now() > deadline) throw new Error(`guest command timed out: ${argv.join(' ')}`);
      await sleep(delay);
    }
  }

  /** Start a guest command without waiting; waitBackground() collects it. */
  async startBackground(argv: string[]): Promise<{ pid: number }> {
    const [path, ...arg] = argv;
    return this.qga.request<{ pid: number }>('guest-exec', { path, arg, 'capture-output': true });
  }

  async waitBackground(pid: number, timeoutMs: number): Promise<ExecResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await this.qga.request<{
        exited: boolean;
        exitcode?: number;
        'out-data'?: string;
        'err-data'?: string;
      }>('guest-exec-status', { pid });
      if (st.exited)
        return {
          exitCode: st.exitcode ?? 1,
          stdout: Buffer.from(st['out-data'] ?? '', 'base64').toString(),
          stderr: Buffer.from(st['err-data'] ?? '', 'base64').toString(),
        };
      if (Date.now() > deadline) return { exitCode: 124, stdout: '', stderr: 'timeout' };
      await sleep(200);
    }
  }

  async writeFile(path: string, content: string | Buffer, mode = '0644'): Promise<void> {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const h = await this.qga.request<number>('guest-file-open', { path, mode: 'w' });
    for (let off = 0; off < buf.length; off += 48 * 1024) {
      await this.qga.request('guest-file-write', {
        handle: h,
        'buf-b64': buf.subarray(off, off + 48 * 1024).toString('base64'),
      });
    }
    await this.qga.request('guest-file-close', { handle: h });
    await this.exec(['chmod', mode, path]);
  }

  /** Copy a (possibly large, binary) guest file to the host. */
  async copyOut(path: string, hostPath: string): Promise<void> {
    const h = await this.qga.request<number>('guest-file-open', { path, mode: 'r' });
    const chunks: Buffer[] = [];
    for (;;) {
      const r = await this.qga.request<{ count: number; 'buf-b64': string; eof: boolean }>('guest-file-read', {
        handle: h,
        count: 4 * 1024 * 1024,
      });
      chunks.push(Buffer.from(r['buf-b64'], 'base64'));
      if (r.eof || r.count === 0) break;
    }
    await this.qga.request('guest-file-close', { handle: h });
    writeFileSync(hostPath, Buffer.concat(chunks));
  }

  async readFile(path: string): Promise<string> {
    const r = await this.exec(['cat', path]);
    return r.stdout;
  }

  /** Hot-plug an external disk (qcow2) on the external controller. */
  async plug(d: DiskSpec): Promise<void> {
    await this.qmp.request('blockdev-add', {
      driver: 'qcow2',
      'node-name': `node-${d.id}`,
      cache: { 'no-flush': true },
      file: { driver: 'file', filename: d.file },
    });
    await this.qmp.request('device_add', {
      driver: 'scsi-hd',
      id: `dev-${d.id}`,
      drive: `node-${d.id}`,
      bus: 'ext.0',
      serial: d.id.toUpperCase(),
    });
    this.plugged.add(d.id);
  }

  /** Surprise-remove (or remove after spin-down) an external disk; waits for DEVICE_DELETED. */
  async unplug(id: string, timeoutMs = 30_000): Promise<void> {
    this.events = this.events.filter((e) => e.event !== 'DEVICE_DELETED');
    await this.qmp.request('device_del', { id: `dev-${id}` }).catch((e: Error) => {
      // The guest may already have deleted the SCSI device (spin-down deletes it); QEMU then has nothing to do.
      if (!/not found/i.test(e.message)) throw e;
    });
    const deadline = Date.now() + timeoutMs;
    while (
      !this.events.some((e) => e.event === 'DEVICE_DELETED' && (e.data as { device?: string }).device === `dev-${id}`)
    ) {
      const devs = await this.qmp.request<Array<{ id?: string }>>('qom-list', { path: '/machine/peripheral' });
      if (!devs.some((x) => x.id === `dev-${id}`)) break;
      if (Date.now() > deadline) throw new Error(`device ${id} was not removed`);
      await sleep(200);
    }
    // The block node is released a moment after the device: retry until it is gone.
    for (let i = 0; ; i++) {
      const err = await this.qmp.request('blockdev-del', { 'node-name': `node-${id}` }).then(
        () => undefined,
        (e: Error) => e.message,
      );
      if (!err || /not found|Cannot find/i.test(err)) break;
      if (i > 50) throw new Error(`block node of ${id} not released: ${err}`);
      await sleep(200);
    }
    this.plugged.delete(id);
  }

  async hardReset(): Promise<void> {
    await this.qmp.request('system_reset');
    await sleep(2_000);
    await this.waitAgent(bootTimeoutMs());
  }

  private running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private exited(): Promise<void> {
    return this.running() ? new Promise<void>((r) => this.proc?.once('exit', () => r())) : Promise.resolve();
  }

  /** Power off; a guest that has not gone within 60 s (or cannot be asked) is killed. */
  async shutdown(): Promise<void> {
    if (!this.running()) return;
    const exited = this.exited();
    const t = setTimeout(() => this.proc?.kill('SIGKILL'), 60_000);
    // The agent may die before it answers, or be hung: either way the timer ends it.
    await this.exec(['systemctl', 'poweroff'], { allowFailure: true, timeoutMs: 10_000 }).catch(() => undefined);
    await exited;
    clearTimeout(t);
    this.qmp.close();
    this.qga.close();
  }

  /** SIGKILL qemu and wait until it has exited (its disk files are then free). */
  async kill(): Promise<void> {
    const exited = this.exited();
    this.proc?.kill('SIGKILL');
    await exited;
    this.qmp.close();
    this.qga.close();
  }
}
