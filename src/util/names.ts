// Validation of names that come from devices or from the config (invariant 7).
// Contract: a kernel name that reaches a path or an argv has passed kernelName(); anything
// else from a device (labels, serials, models) is only ever displayed through printable().
export class UnsafeNameError extends Error {
  constructor(what: string, value: string) {
    super(`refusing ${what} ${JSON.stringify(printable(value))}: only [a-z0-9] kernel names are accepted`);
    this.name = 'UnsafeNameError';
  }
}

const kernelNameRe = /^[a-z0-9]+$/;

export function isKernelName(name: string): boolean {
  return kernelNameRe.test(name) && name.length <= 32;
}

/** Returns the name unchanged when it is a plain kernel name (sda, sdc2, md5, nvme0n1p1), else throws. */
export function kernelName(name: string, what = 'device name'): string {
  if (!isKernelName(name)) throw new UnsafeNameError(what, name);
  return name;
}

/** "/dev/sdc2" or "sdc2" -> "sdc2", validated. */
export function kernelNameFromPath(pathOrName: string, what = 'device'): string {
  const m = /^\/dev\/([^/]+)$/.exec(pathOrName);
  return kernelName(m ? m[1]! : pathOrName, what);
}

export function devPath(name: string): string {
  return `/dev/${kernelName(name)}`;
}

/** A device-supplied string made safe to show in a log line or a mail: printable ASCII, bounded. */
export function printable(value: string, max = 64): string {
  const cleaned = [...value].map((c) => (c >= ' ' && c <= '~' ? c : '?')).join('');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

/** md UUIDs appear as 8:8:8:8 (mdadm) or 8-4-4-4-12 (udev/blkid); compare in one form: 32 lowercase hex. */
export function normalizeUuid(uuid: string): string {
  const hex = uuid.toLowerCase().replace(/[:\-.]/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not an md UUID: ${JSON.stringify(printable(uuid))}`);
  return hex;
}

/** 32 hex -> mdadm's 8:8:8:8 form, for argv. */
export function mdadmUuid(uuid: string): string {
  const h = normalizeUuid(uuid);
  return `${h.slice(0, 8)}:${h.slice(8, 16)}:${h.slice(16, 24)}:${h.slice(24, 32)}`;
}
