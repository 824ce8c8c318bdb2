// Udev's finished block-device events, the daemon's second hotplug path (the first is the /dev
// watch, which sees a node about a second before udev has run its rules). udev writes a device's
// database entry, /run/udev/data/b<major>:<minor>, after its rules ran for an add or change event
// (a temporary file renamed into place) and deletes it at removal. One inotify watch on that
// directory: no process started per event (Debian's node takes 5 s to start in the lab's guest,
// which is why the old udev-started `baysync notify` unit was dropped), no polling.
// Contract: onEvent gets the kernel name while sysfs still knows the device, or undefined once it
// is gone; devices whose name cannot hot-plug (loop, md, dm, ...) are left out when sysfs names
// them; entries that are not block devices are ignored. Never throws from a callback.
import { type FSWatcher, readlinkSync, watch } from 'node:fs';
import { basename, join } from 'node:path';
import { isKernelName } from '../util/names.js';
import { hotplugNodeName } from './block.js';

const blockEntry = /^b(\d{1,4}):(\d{1,7})$/;

/**
 * What a database entry name means: null when it is not a block device or names one that cannot
 * hot-plug; otherwise the kernel name from `<sysfs>/dev/block/<maj>:<min>`, or undefined when
 * sysfs no longer has it (a removal).
 */
export function udevEntryDevice(sysfs: string, entry: string): string | undefined | null {
  const m = blockEntry.exec(entry);
  if (!m) return null;
  let name: string;
  try {
    name = basename(readlinkSync(join(sysfs, 'dev/block', `${m[1]}:${m[2]}`)));
  } catch {
    // Gone from sysfs: a removal. md, loop and ram devices (fixed majors 9, 7 and 1) are left
    // out here too; any other device's removal wakes the daemon.
    return ['1', '7', '9'].includes(m[1]!) ? null : undefined;
  }
  return isKernelName(name) && hotplugNodeName.test(name) ? name : null;
}

/** Watches `dir`; returns undefined (and calls onError) when it cannot be watched. */
export function watchUdevBlockEvents(
  dir: string,
  sysfs: string,
  onEvent: (kernel: string | undefined, entry: string) => void,
  onError: (err: unknown) => void,
): FSWatcher | undefined {
  try {
    const w = watch(dir, (_event, entry) => {
      if (!entry) return;
      const dev = udevEntryDevice(sysfs, entry);
      if (dev !== null) onEvent(dev, entry);
    });
    w.on('error', onError);
    return w;
  } catch (e) {
    onError(e);
    return undefined;
  }
}
