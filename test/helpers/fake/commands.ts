// The commands the FakeSystem answers besides mdadm: systemctl, runuser (BackupPC_serverMesg),
// fsfreeze, sync, mount and umount (a copy mount gets the pool as it was, and must be read-only
// at the filesystem's offset), losetup, hdparm and sdparm. Output follows the real tools.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import type { RunOptions } from '../../../src/system/runner.js';
import type { FakeSystem } from '../fake-system.js';
import { fakeMdadm } from './mdadm.js';
import type { Reply } from './model.js';

export async function fakeCommand(sys: FakeSystem, argv: string[], opts: RunOptions): Promise<Reply> {
  const [cmd, ...a] = argv;
  const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
  switch (cmd) {
    case 'mdadm':
      return fakeMdadm(sys, a, opts);
    case 'systemctl': {
      if (a[0] === 'is-active') return { code: sys.backuppcActive ? 0 : 3 };
      if (a[0] === 'stop') sys.backuppcActive = false;
      if (a[0] === 'start') sys.backuppcActive = true;
      return { code: 0 };
    }
    case 'pgrep':
      return { code: sys.runningDumps ? 0 : 1, out: `${sys.runningDumps}\n` };
    case 'runuser':
      return sys.backuppcActive
        ? { code: 0 }
        : { code: 1, err: "Can't connect to server (unix connect: No such file or directory)" };
    case 'fsfreeze':
      if (a[1] !== '--') return { code: 1, err: 'test fake: the mount point comes from the config: -- before it' };
      if (a[0] === '--freeze') {
        if (sys.frozen) return { code: 1, err: 'fsfreeze: /pool: freeze failed: Device or resource busy' };
        sys.frozen = true;
      } else {
        if (!sys.frozen) return { code: 1, err: 'fsfreeze: /pool: unfreeze failed: Invalid argument' };
        sys.frozen = false;
      }
      return { code: 0 };
    case 'sync':
    case 'mkdir':
      if (cmd === 'mkdir') mkdirSync(a[a.length - 1]!, { recursive: true });
      return { code: 0 };
    case 'mountpoint':
      return { code: a[1] === sys.livePool || sys.mounted.has(a[1]!) ? 0 : 1 };
    case 'losetup': {
      if (a.includes('--associated')) {
        const target = dev(a[a.length - 1]);
        return {
          code: 0,
          out: [...sys.loops.entries()]
            .filter(([, v]) => v.dev === target)
            .map(([k]) => `/dev/${k}\n`)
            .join(''),
        };
      }
      if (a[0] === '--detach') {
        sys.loops.delete(dev(a[1]));
        return { code: 0 };
      }
      const off = Number((a.find((x) => x.startsWith('--offset=')) ?? '--offset=0').slice(9));
      const name = `loop${sys.seq++}`;
      if (!a.includes('--read-only')) return { code: 1, err: 'test fake: loop maps must be read-only' };
      sys.loops.set(name, { dev: dev(a[a.length - 1]), offset: off });
      return { code: 0, out: `/dev/${name}\n` };
    }
    case 'mount': {
      const target = a[a.length - 1]!;
      const o = a[a.indexOf('-o') + 1] ?? '';
      if (o.startsWith('remount'))
        return a[a.length - 2] === '--'
          ? { code: 0 }
          : { code: 1, err: 'test fake: the mount point comes from the config: -- before it' };
      if (sys.mounted.has(target)) return { code: 32, err: `mount: ${target}: ${a[a.length - 2]} is already mounted.` };
      if (!o.split(',').includes('ro')) return { code: 1, err: 'test fake: copies are only ever mounted read-only' };
      if (o.split(',').includes('loop')) {
        // mount's own loop device, read-only with the mount: it must start where the filesystem does.
        const src = sys.arrays.get(dev(a[a.length - 2]));
        const want = src ? (src.dataOffsetSectors + (sys.topUuid ? 2048 : 0)) * 512 : 0;
        const got = Number(/(?:^|,)offset=(\d+)/.exec(o)?.[1] ?? 0);
        if (got !== want)
          return {
            code: 32,
            err: `mount: test fake: wrong fs type, bad option, bad superblock (loop offset ${got}, the filesystem starts at ${want})`,
          };
      }
      // The copy: what the live pool held when it was detached.
      mkdirSync(target, { recursive: true });
      cpSync(sys.livePool, target, { recursive: true });
      sys.mounted.add(target);
      sys.sync(); // /proc/self/mountinfo shows it
      return { code: 0 };
    }
    case 'umount': {
      const target = a[a.length - 1]!;
      if (sys.mounted.has(target)) {
        rmSync(target, { recursive: true, force: true });
        sys.mounted.delete(target);
      }
      sys.sync();
      return { code: 0 };
    }
    case 'blockdev':
      return { code: a[0] === '--flushbufs' ? 0 : 1 };
    case 'xfs_repair': {
      // Only ever without modification, on a read-only loop at the filesystem's offset.
      const loop = sys.loops.get(dev(a[a.length - 1]));
      if (a[0] !== '-n' || a[1] !== '--' || !loop) return { code: 2, err: 'test fake: xfs_repair -n -- <loop> only' };
      const src = sys.arrays.get(loop.dev);
      const want = src ? (src.dataOffsetSectors + (sys.topUuid ? 2048 : 0)) * 512 : 0;
      if (loop.offset !== want)
        return {
          code: 1,
          out: `Phase 1 - find and verify superblock...\nbad primary superblock - bad magic number !!!\n`,
        };
      return sys.fsckExit
        ? {
            code: sys.fsckExit,
            out: 'Phase 2 - using internal log\nbad magic # 0x67617262 for agf 1\nwould reset bad agf for ag 1\n',
          }
        : {
            code: 0,
            out: 'Phase 7 - verify link counts...\nNo modify flag set, skipping filesystem flush and exiting.\n',
          };
    }
    case 'hdparm':
      return sys.hdparmWorks ? { code: 0 } : { code: 0, err: 'SG_IO: bad/missing sense data, sb[]:  70 00 05 00' };
    case 'sdparm':
      return { code: 0 };
    case 'systemd-notify':
    case 'uname':
      return { code: 0, out: '6.1.0-test\n' };
    default:
      return { code: 127, err: `test fake: unknown command ${cmd}` };
  }
}
