// Pure parser of /etc/fstab (fstab(5)): one entry per non-comment line, fields separated by
// blanks, octal escapes (\040 for a space) decoded. Contract: no I/O; swap and "none" mount
// points are left out (they mount nothing at a path); malformed lines are skipped.
import { unescapeOctal } from './mountinfo.js';

export interface FstabEntry {
  spec: string;
  mountpoint: string;
  fstype: string;
  options: string[];
}

export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    if (f.length < 3) continue;
    const mountpoint = unescapeOctal(f[1]!);
    if (!mountpoint.startsWith('/') || f[2] === 'swap') continue;
    out.push({ spec: unescapeOctal(f[0]!), mountpoint, fstype: f[2]!, options: (f[3] ?? 'defaults').split(',') });
  }
  return out;
}

/** The deepest fstab mount point (other than /) that holds `path`, or undefined. */
export function fstabMountAbove(entries: FstabEntry[], path: string): FstabEntry | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  return entries
    .filter((e) => e.mountpoint !== '/' && (p === e.mountpoint || p.startsWith(`${e.mountpoint.replace(/\/+$/, '')}/`)))
    .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
}
