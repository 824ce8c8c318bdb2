// The lab's qemu command line and disk images: TCG with 2 vCPUs and 2 GiB, no guest network
// (-nic none), the serial console to a file, QMP and the guest agent on unix sockets, the root
// disk on virtio and the internal disks on one virtio-scsi controller, a second controller
// (ext) for the hot-plugged external sets. qcow2 overlays keep every boot throwaway.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface DiskSpec {
  id: string;
  file: string;
}

export interface QemuSpec {
  kernel: string;
  initrd: string;
  workDir: string;
  consoleLog: string;
  rootDisk: string;
  internalDisks: DiskSpec[];
}

export function qemuArgs(q: QemuSpec): string[] {
  const pairs: Array<[string, string]> = [
    ['-accel', 'tcg'],
    ['-m', '2048'],
    ['-smp', '2'],
    ['-display', 'none'],
    ['-nic', 'none'],
    ['-kernel', q.kernel],
    ['-initrd', q.initrd],
    ['-append', 'root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 net.ifnames=0'],
    ['-serial', `file:${q.consoleLog}`],
    ['-qmp', `unix:${join(q.workDir, 'qmp.sock')},server=on,wait=off`],
    ['-chardev', `socket,path=${join(q.workDir, 'qga.sock')},server=on,wait=off,id=qga0`],
    ['-device', 'virtio-serial'],
    ['-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0'],
    ['-drive', `file=${q.rootDisk},if=virtio,format=qcow2,cache=unsafe`],
    ['-device', 'virtio-scsi-pci,id=scsi0'],
    ['-device', 'virtio-scsi-pci,id=ext'],
  ];
  for (const d of q.internalDisks) {
    pairs.push(['-drive', `if=none,id=drv-${d.id},file=${d.file},format=qcow2,cache=unsafe`]);
    pairs.push(['-device', `scsi-hd,drive=drv-${d.id},bus=scsi0.0,serial=${d.id.toUpperCase()},id=dev-${d.id}`]);
  }
  return pairs.flat();
}

export async function qcow2Overlay(base: string, file: string, baseFormat: 'raw' | 'qcow2'): Promise<void> {
  if (existsSync(file)) rmSync(file);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, file]);
}

export async function qcow2Blank(file: string, size: string): Promise<void> {
  if (existsSync(file)) rmSync(file);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, size]);
}
