// The FakeSystem's model mirrored into its temp root as the files the daemon reads:
// /proc/mdstat, /proc/<pid>/comm, /proc/self/mountinfo, /sys/block/<md>/md/*, and /dev nodes whose
// content carries md v1 superblocks (a stripe's node holds its mirror's and the top mirror's).
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { mdV1Magic } from '../../../src/system/parsers/md-superblock.js';
import { normalizeUuid } from '../../../src/util/names.js';
import type { FakeSystem } from '../fake-system.js';
import type { FakeArray, Superblock } from './model.js';

export function mirrorToFiles(sys: FakeSystem): void {
  const sysBlock = sys.path('sys/block');
  for (const e of readdirSync(sysBlock))
    if (e.startsWith('md') && !sys.arrays.has(e)) rmSync(join(sysBlock, e), { recursive: true, force: true });
  const lines = ['Personalities : [raid0] [raid1] '];
  for (const a of [...sys.arrays.values()].sort((x, y) => y.name.localeCompare(x.name))) {
    const md = join(sysBlock, a.name, 'md');
    rmSync(join(sysBlock, a.name), { recursive: true, force: true });
    mkdirSync(md, { recursive: true });
    const w = (f: string, v: string | number): void => writeFileSync(join(md, f), `${v}\n`);
    w('array_state', a.readonly ? 'readonly' : 'clean');
    w('level', a.level);
    w('raid_disks', a.raidDisks);
    w('degraded', sys.degraded(a));
    w('sync_action', a.syncAction);
    w('sync_completed', a.syncDone !== undefined ? `${a.syncDone} / ${a.syncTotal}` : 'none');
    w('sync_speed', a.syncAction === 'idle' ? 0 : 20000);
    w('component_size', a.componentSizeKiB);
    if (a.bitmap) {
      mkdirSync(join(md, 'bitmap'), { recursive: true });
      writeFileSync(join(md, 'bitmap', 'location'), '+8\n');
      writeFileSync(join(md, 'bitmap', 'time_base'), `${a.bitmapTimeBase ?? 5}\n`);
    }
    writeFileSync(join(sysBlock, a.name, 'size'), `${a.sizeBytes / 512}\n`);
    for (const m of a.members) {
      mkdirSync(join(md, `dev-${m.dev}`), { recursive: true });
      writeFileSync(join(md, `dev-${m.dev}`, 'state'), `${m.state.join(',')}\n`);
      writeFileSync(join(md, `dev-${m.dev}`, 'slot'), `${m.slot ?? 'none'}\n`);
    }
    const members = a.members
      .map((m) => `${m.dev}[${m.slot ?? a.raidDisks + 1}]${m.state.includes('faulty') ? '(F)' : ''}`)
      .join(' ');
    lines.push(`${a.name} : active${a.readonly ? ' (read-only)' : ''} ${a.level} ${members}`);
    const health =
      a.level === 'raid1'
        ? ` [${a.raidDisks}/${a.raidDisks - sys.degraded(a)}] [${'U'.repeat(a.raidDisks - sys.degraded(a))}${'_'.repeat(sys.degraded(a))}]`
        : ' 512k chunks';
    lines.push(`      ${a.sizeBytes / 1024} blocks super 1.2${health}`);
    if (a.syncAction !== 'idle' && a.syncDone !== undefined) {
      const pct = (100 * a.syncDone) / (a.syncTotal ?? 1);
      lines.push(
        `      [=>...................]  recovery = ${pct.toFixed(1)}% (${a.syncDone / 2}/${(a.syncTotal ?? 0) / 2}) finish=0.4min speed=20000K/sec`,
      );
    }
    if (a.bitmap) lines.push('      bitmap: 0/1 pages [0KB], 65536KB chunk');
    lines.push('      ');
    // device node with nested superblocks for the read-only verification walk
    const content = sys.stripeContent.get(a.uuid);
    writeDevNode(sys, a.name, content, a);
  }
  lines.push('unused devices: <none>', '');
  writeFileSync(sys.path('proc/mdstat'), lines.join('\n'));
  mkdirSync(sys.path('udev/data'), { recursive: true });
  for (const e of readdirSync(sysBlock))
    if (!e.startsWith('md') && !sys.disks.has(e)) rmSync(join(sysBlock, e), { recursive: true, force: true });
  for (const d of sys.disks.values()) {
    mkdirSync(join(sysBlock, d.name, 'device'), { recursive: true });
    writeFileSync(join(sysBlock, d.name, 'device', 'delete'), '');
    writeFileSync(join(sysBlock, d.name, 'size'), `${d.sizeBytes / 512}\n`);
    for (const [i, p] of d.parts.entries()) {
      mkdirSync(join(sysBlock, d.name, p.name), { recursive: true });
      writeFileSync(join(sysBlock, d.name, p.name, 'partition'), `${i + 1}\n`);
      writeFileSync(join(sysBlock, d.name, p.name, 'size'), `${p.sizeBytes / 512}\n`);
    }
    writeFileSync(sys.path(`dev/${d.name}`), Buffer.alloc(0));
    for (const p of d.parts) {
      // The partition's device node: an md v1.2 superblock 4 KiB in, as mdadm writes it.
      const buf = Buffer.alloc(p.sb ? 8192 : 0);
      if (p.sb)
        writeSb(
          buf,
          4096,
          p.sb.uuid,
          p.sb.level === 'raid0' ? 0 : 1,
          2048,
          p.sb.raidDevices,
          p.sb.devUuid,
          p.sb.events,
          p.sb.name,
        );
      writeFileSync(sys.path(`dev/${p.name}`), buf);
    }
  }
  mkdirSync(sys.path('proc/self'), { recursive: true });
  // Running BackupPC_dump processes, as /proc shows them.
  for (const e of readdirSync(sys.path('proc')))
    if (/^\d+$/.test(e)) rmSync(sys.path(`proc/${e}`), { recursive: true, force: true });
  for (let i = 0; i < sys.runningDumps; i++) {
    mkdirSync(sys.path(`proc/${9000 + i}`), { recursive: true });
    writeFileSync(sys.path(`proc/${9000 + i}/comm`), 'BackupPC_dump\n');
  }
  const mounts = [sys.livePool, ...sys.mounted].map(
    (m, i) => `${30 + i} 1 9:7 / ${m.replace(/ /g, '\\040')} rw,relatime shared:1 - xfs /dev/md7 rw`,
  );
  writeFileSync(sys.path('proc/self/mountinfo'), `${mounts.join('\n')}\n`);
}

function writeDevNode(sys: FakeSystem, name: string, content: Superblock | undefined, a: FakeArray): void {
  if (!content) {
    writeFileSync(sys.path(`dev/${name}`), Buffer.alloc(0));
    return;
  }
  const lvl = content.level === 'raid0' ? 0 : 1;
  const off1 = 2048 * 512;
  const buf = Buffer.alloc(off1 + 8192);
  writeSb(
    buf,
    4096,
    content.uuid,
    lvl,
    a.dataOffsetSectors,
    content.raidDevices,
    content.devUuid,
    content.events,
    content.name,
  );
  if (content.partlyRecovered) buf.writeUInt32LE(2, 4096 + 8);
  if (sys.topUuid) writeSb(buf, off1 + 4096, sys.topUuid, 1, 2048);
  const node = sys.path(`dev/${name}`);
  if (lvl !== 1) {
    writeFileSync(node, buf);
    return;
  }
  // A mirror member: its bitmap (64 KiB chunks, 8 sectors after the superblock), the array's
  // size, and a data area of that size (sparse) with the top mirror's superblock and XFS's.
  const parent = [...sys.arrays.values()].find((x) => x.uuid === content.uuid);
  const size = parent?.componentSizeKiB ? parent.componentSizeKiB * 1024 : a.sizeBytes - off1;
  const chunk = 64 * 1024;
  buf.writeUInt32LE(buf.readUInt32LE(4096 + 8) | 1, 4096 + 8);
  buf.writeInt32LE(8, 4096 + 96);
  buf.writeBigUInt64LE(BigInt(size / 512), 4096 + 80);
  const bm = 8192;
  buf.writeUInt32LE(0x6d746962, bm);
  buf.writeUInt32LE(4, bm + 4);
  buf.writeBigUInt64LE(BigInt(size / 512), bm + 40);
  buf.writeUInt32LE(chunk, bm + 52);
  const data = Buffer.alloc(3 * 1024 * 1024);
  buf.copy(data);
  const fsAt = off1 + (sys.topUuid ? 2048 * 512 : 0);
  data.write('XFSB', fsAt, 'latin1');
  data.writeUInt32BE(4096, fsAt + 4);
  data.writeBigUInt64BE(BigInt(Math.floor((size - (fsAt - off1)) / 4096)), fsAt + 8);
  data.writeUInt32BE(Math.floor(size / 4096 / 4), fsAt + 84);
  data.writeUInt32BE(4, fsAt + 88);
  writeFileSync(node, data);
  truncateSync(node, off1 + size);
  const writable = !a.readonly;
  for (const at of writable ? sys.poolWrites : []) {
    const bit = Math.floor(at / chunk);
    const byte = Buffer.alloc(1);
    byte.writeUInt8(1 << (bit & 7));
    writeAt(node, bm + 256 + (bit >> 3), byte, true);
    writeAt(node, off1 + at, Buffer.from('written'));
  }
  const damaged = sys.damage.get(name);
  if (damaged !== undefined) writeAt(node, off1 + damaged, Buffer.from('damage'));
}

function writeAt(node: string, at: number, bytes: Buffer, or = false): void {
  const fd = openSync(node, 'r+');
  try {
    if (or) {
      const cur = Buffer.alloc(bytes.length);
      readSync(fd, cur, 0, cur.length, at);
      for (let i = 0; i < bytes.length; i++) bytes[i]! |= cur[i]!;
    }
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

function writeSb(
  buf: Buffer,
  at: number,
  uuid: string,
  level: number,
  dataOffsetSectors: number,
  raidDisks = 2,
  devUuid?: string,
  events = 0,
  name = '',
): void {
  buf.writeUInt32LE(mdV1Magic, at);
  Buffer.from(name, 'latin1')
    .subarray(0, 32)
    .copy(buf, at + 32);
  buf.writeUInt32LE(1, at + 4);
  Buffer.from(normalizeUuid(uuid), 'hex').copy(buf, at + 16);
  buf.writeInt32LE(level, at + 72);
  buf.writeUInt32LE(raidDisks, at + 92);
  buf.writeBigUInt64LE(BigInt(dataOffsetSectors), at + 128);
  if (devUuid) Buffer.from(normalizeUuid(devUuid), 'hex').copy(buf, at + 168);
  buf.writeBigUInt64LE(BigInt(events), at + 200);
}
