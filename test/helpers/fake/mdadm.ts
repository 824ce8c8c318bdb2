// mdadm in the FakeSystem: --examine/--detail --export and --examine-bitmap in the real tools'
// formats, --assemble by UUID, --stop, --zero-superblock, --wait, and manage mode (--add,
// --re-add into a bitmap, --fail, --remove) with md's own refusals and recovery.
import type { RunOptions } from '../../../src/system/runner.js';
import { mdadmUuid, normalizeUuid } from '../../../src/util/names.js';
import type { FakeSystem } from '../fake-system.js';
import { fakeUuid, type Reply, type Superblock } from './model.js';

export async function fakeMdadm(sys: FakeSystem, a: string[], opts: RunOptions): Promise<Reply> {
  const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
  if (a[0] === '--examine' && a[1] === '--export') {
    const name = dev(a[2]);
    const p = sys.partByName(name);
    const arr = sys.arrays.get(name);
    const sb = p?.sb ?? (arr ? sys.stripeContent.get(arr.uuid) : undefined);
    if (!sb) return { code: 1, err: `mdadm: No md superblock detected on /dev/${name}.` };
    return {
      code: 0,
      out: `MD_LEVEL=${sb.level}\nMD_DEVICES=${sb.raidDevices}\nMD_NAME=${sb.name}\nMD_UUID=${mdadmUuid(sb.uuid)}\nMD_UPDATE_TIME=1763781234\nMD_DEV_UUID=${mdadmUuid(sb.devUuid)}\nMD_EVENTS=${sb.events}\n`,
    };
  }
  if (a[0] === '--zero-superblock') {
    const arr = sys.arrays.get(dev(a[1]));
    if (arr) sys.stripeContent.set(arr.uuid, undefined);
    sys.sync();
    return { code: 0 };
  }
  if (a[0] === '--examine-bitmap') {
    // Dirty while a mirror runs degraded after its external half left; clean once it synced.
    const up = [...sys.arrays.values()].find((x) => x.members.some((m) => m.dev === dev(a[1])));
    const dirty = up && sys.degraded(up) > 0 && sys.everDetached.has(up.name) ? 1 : 0;
    return {
      code: 0,
      out: `        Filename : ${a[1]}\n       Chunksize : 64 MB\n          Bitmap : 7 bits (chunks), ${dirty} dirty (${((dirty / 7) * 100).toFixed(1)}%)\n`,
    };
  }
  if (a[0] === '--examine') return { code: 0, out: '    Data Offset : 2048 sectors\n' };
  if (a[0] === '--detail' && a[1] === '--export') {
    const x = sys.arrays.get(dev(a[2]));
    if (!x) return { code: 1, err: `mdadm: cannot open ${a[2]}: No such file or directory` };
    const members = x.members
      .map(
        (m) =>
          `MD_DEVICE_dev_${m.dev}_ROLE=${m.state.includes('faulty') ? 'faulty' : (m.slot ?? 'spare')}\nMD_DEVICE_dev_${m.dev}_DEV=/dev/${m.dev}\n`,
      )
      .join('');
    return {
      code: 0,
      out: `MD_LEVEL=${x.level}\nMD_DEVICES=${x.raidDisks}\nMD_METADATA=1.2\nMD_UUID=${mdadmUuid(x.uuid)}\nMD_DEVNAME=${x.name.slice(2)}\nMD_NAME=lab:${x.name.slice(2)}\n${members}`,
    };
  }
  if (a[0] === '--assemble') {
    const name = dev(a[1]);
    const uuid = normalizeUuid(a.find((x) => x.startsWith('--uuid='))!.slice(7));
    const devs = a
      .filter((x) => x.startsWith('/dev/'))
      .slice(1)
      .map(dev);
    if (sys.arrays.has(name)) return { code: 1, err: `mdadm: ${a[1]} is already in use.` };
    const parts = devs.map((d) => sys.partByName(d));
    if (parts.some((p) => !p || p.sb?.uuid !== uuid)) return { code: 1, err: 'mdadm: no devices found for the array' };
    const size = parts.reduce((s, p) => s + p!.sizeBytes, 0) - 2 * 1024 * 1024;
    sys.addArray({
      name,
      uuid,
      level: 'raid0',
      raidDisks: devs.length,
      sizeBytes: size,
      componentSizeKiB: 0,
      members: devs.map((d, i) => ({ dev: d, slot: i, state: ['in_sync'] })),
      readonly: a.includes('--readonly'),
    });
    return { code: 0, out: `mdadm: ${a[1]} has been started with ${devs.length} drives.\n` };
  }
  if (a[0] === '--stop') {
    const name = dev(a[1]);
    if (!sys.arrays.has(name)) return { code: 1, err: `mdadm: error opening ${a[1]}: No such file or directory` };
    if ([...sys.arrays.values()].some((x) => x.members.some((m) => m.dev === name && !m.state.includes('faulty'))))
      return {
        code: 1,
        err: `mdadm: Cannot get exclusive access to ${a[1]}: Perhaps a running process, mounted filesystem or active volume group?`,
      };
    sys.arrays.delete(name);
    sys.sync();
    return { code: 0 };
  }
  if (a[0] === '--wait') {
    const x = sys.arrays.get(dev(a[1]));
    if (!x || x.syncAction === 'idle') return { code: 1 };
    await new Promise<void>((resolve) => {
      const list = sys.waiters.get(x.name) ?? [];
      list.push(resolve);
      sys.waiters.set(x.name, list);
      opts.signal?.addEventListener('abort', () => resolve());
    });
    return { code: 0 };
  }
  // manage mode: mdadm /dev/mdX --op /dev/Y [--op /dev/Z …], applied in order, stopping at an error
  if (!sys.arrays.get(dev(a[0]))) return { code: 1, err: `mdadm: cannot open ${a[0]}` };
  let last: { code: number; out?: string; err?: string } = { code: 0 };
  for (let i = 1; i + 1 < a.length; i += 2) {
    last = manage(sys, a[0]!, a[i]!, a[i + 1]!);
    if (last.code !== 0) return last;
  }
  return last;
}

function manage(sys: FakeSystem, mdArg: string, op: string, devArg: string): Reply {
  const a = [mdArg, op, devArg];
  const dev = (p: string | undefined): string => (p ?? '').replace(/^\/dev\//, '');
  const target = sys.arrays.get(dev(a[0]))!;
  const member = dev(a[2]);
  if (op === '--re-add' || op === '--add') {
    const inner = sys.arrays.get(member)
      ? sys.stripeContent.get(sys.arrays.get(member)!.uuid)
      : sys.partByName(member)?.sb;
    if (op === '--re-add' && (!inner || inner.uuid !== target.uuid))
      return { code: 1, err: `mdadm: --re-add for ${a[2]} to ${a[0]} is not possible` };
    const free = [...Array(target.raidDisks).keys()].find(
      (s) => !target.members.some((m) => m.slot === s && !m.state.includes('faulty')),
    );
    target.members = target.members.filter((m) => m.dev !== member);
    target.members.push({ dev: member, slot: free, state: ['spare'] });
    target.syncAction = 'recover';
    target.syncDone = 0;
    target.syncTotal = target.componentSizeKiB * 2;
    const sb: Superblock = {
      uuid: target.uuid,
      level: target.level,
      raidDevices: target.raidDisks,
      devUuid: inner?.devUuid ?? fakeUuid(0x77),
      events: (inner?.events ?? 0) + 1,
      name: `lab:${target.name.slice(2)}`,
    };
    const arr = sys.arrays.get(member);
    if (arr) sys.stripeContent.set(arr.uuid, sb);
    else {
      const p = sys.partByName(member);
      if (p) p.sb = sb;
    }
    sys.sync();
    return { code: 0, out: `mdadm: ${op === '--re-add' ? 're-added' : 'added'} ${a[2]}\n` };
  }
  if (op === '--fail') {
    const m = target.members.find((x) => x.dev === member);
    if (!m) return { code: 1, err: `mdadm: set device faulty failed for ${a[2]}:  No such device` };
    m.state = ['faulty'];
    if (target.syncAction !== 'idle') {
      target.syncAction = 'idle';
      target.syncDone = undefined;
      sys.wake(target.name);
    }
    sys.sync();
    return { code: 0 };
  }
  if (op === '--remove') {
    const m = target.members.find((x) => x.dev === member);
    if (!m) return { code: 1, err: `mdadm: hot remove failed for ${a[2]}: No such device or address` };
    if (!m.state.includes('faulty'))
      return { code: 1, err: `mdadm: hot remove failed for ${a[2]}: Device or resource busy` };
    target.members = target.members.filter((x) => x.dev !== member);
    sys.everDetached.add(target.name);
    sys.sync();
    return { code: 0 };
  }
  return { code: 1, err: `test fake: unsupported mdadm ${a.join(' ')}` };
}
