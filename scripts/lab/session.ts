// A lab session: one boot of the provisioned topology from throwaway qcow2 overlays, with the
// external sets ready to hot-plug. Contract: start() builds or reuses the cached image and
// topology, boots, and waits for the guest agent and for the internal arrays (md7 mounted);
// close() powers off and deletes the overlays. Nothing here changes the cached bases.
// A boot that hangs (GuestHangError: seen once, a kernel soft lockup in udev workers under TCG)
// is retried once from fresh overlays; the hung console is kept in <cache>/boot-hangs/.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { labCacheDir, log, sleep } from './common.js';
import { ensureImage } from './image.js';
import { ensureTopology, internalIds, type Topology } from './topology.js';
import { type DiskSpec, GuestHangError, qcow2Overlay, Vm } from './vm.js';

export type SetName = 'A' | 'B';
export const setDisks: Record<SetName, Array<'a0' | 'a1' | 'b0' | 'b1'>> = { A: ['a0', 'a1'], B: ['b0', 'b1'] };

/** Root check for the prerequisites: install them when missing, or fail saying so. */
export async function ensurePrerequisites(): Promise<void> {
  const need = ['qemu-system-x86_64', 'qemu-img', 'mmdebstrap', 'mkfs.ext4', 'dpkg-deb'];
  const missing: string[] = [];
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin']);
  for (const c of need) if (!dirs.some((d) => existsSync(join(d, c)))) missing.push(c);
  if (!missing.length) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `the lab needs ${missing.join(', ')}; run as root or install: apt-get install qemu-system-x86 qemu-utils mmdebstrap e2fsprogs dpkg`,
    );
  log(`installing lab prerequisites (${missing.join(', ')})`);
  await execa('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  await execa(
    'apt-get',
    [
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      'qemu-system-x86',
      'qemu-utils',
      'mmdebstrap',
      'e2fsprogs',
      'dpkg',
      'ca-certificates',
    ],
    {
      stdio: 'inherit',
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
}

export class LabSession {
  readonly dir: string;
  vm!: Vm;
  topo!: Topology;
  private externals = new Map<string, DiskSpec>();

  constructor(readonly name: string) {
    this.dir = join(labCacheDir(), 'runs', `${name}-${Date.now()}`);
  }

  async start(): Promise<void> {
    await ensurePrerequisites();
    const image = await ensureImage();
    this.topo = await ensureTopology(image, labCacheDir());
    for (let attempt = 1; ; attempt++) {
      this.vm = new Vm(
        join(this.dir, 'vm'),
        image,
        join(this.dir, 'root.qcow2'),
        await this.overlays(),
        this.topo.initrd,
      );
      try {
        await this.vm.boot({ paused: attempt === 1 && process.env.LAB_INJECT_BOOT_HANG === '1' });
        break;
      } catch (e) {
        await this.vm.kill();
        if (!(e instanceof GuestHangError) || attempt > 1) throw e;
        const kept = join(labCacheDir(), 'boot-hangs', `${this.name}-${Date.now()}.log`);
        mkdirSync(join(labCacheDir(), 'boot-hangs'), { recursive: true });
        if (existsSync(this.vm.consoleLog)) copyFileSync(this.vm.consoleLog, kept);
        log(`BOOT HUNG, retrying once from fresh overlays: ${e.message} (console kept as ${kept})`);
      }
    }
    await this.waitFor(['mountpoint', '-q', '/var/lib/backuppc'], 'the pool (md7) to be mounted', 120_000);
  }

  /** Fresh throwaway overlays on the cached topology; returns the internal disks. */
  private async overlays(): Promise<DiskSpec[]> {
    mkdirSync(this.dir, { recursive: true });
    const ov = (id: string): string => join(this.dir, `${id}.qcow2`);
    await qcow2Overlay(this.topo.root, ov('root'), 'qcow2');
    const internal: DiskSpec[] = [];
    for (const id of internalIds) {
      await qcow2Overlay(this.topo.internal[id], ov(id), 'qcow2');
      internal.push({ id, file: ov(id) });
    }
    for (const id of ['a0', 'a1', 'b0', 'b1'] as const) {
      await qcow2Overlay(this.topo.external[id], ov(id), 'qcow2');
      this.externals.set(id, { id, file: ov(id) });
    }
    return internal;
  }

  externalFile(id: string): string {
    const d = this.externals.get(id);
    if (!d) throw new Error(`no external disk ${id}`);
    return d.file;
  }

  /** Poll a guest command until it exits 0. */
  async waitFor(argv: string[], what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.vm.exec(argv, { allowFailure: true });
      if (r.exitCode === 0) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(500);
    }
  }

  async plug(set: SetName): Promise<void> {
    for (const id of setDisks[set]) await this.vm.plug(this.externals.get(id)!);
  }

  async unplug(set: SetName): Promise<void> {
    for (const id of setDisks[set]) await this.vm.unplug(id);
  }

  async close(keep = false): Promise<void> {
    await this.vm?.shutdown().catch(() => this.vm.kill());
    if (!keep && existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
