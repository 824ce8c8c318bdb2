// Pure parser of /proc/self/mountinfo. Contract: mount points with the kernel's octal escapes
// (\\040 for a space) decoded; no I/O.
export interface MountEntry {
  /** The mounted device's major:minor (as /sys/dev/block names it). */
  dev: string;
  mountpoint: string;
  fstype: string;
  source: string;
  options: string;
}

export const unescapeOctal = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (parts.length < 10 || sep < 6) continue;
    out.push({
      dev: parts[2]!,
      mountpoint: unescapeOctal(parts[4]!),
      options: parts[5]!,
      fstype: parts[sep + 1]!,
      source: unescapeOctal(parts[sep + 2]!),
    });
  }
  return out;
}
