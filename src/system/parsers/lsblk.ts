// Pure parser of `lsblk --json --list --bytes -o NAME,KNAME,PKNAME,TYPE,SIZE,RO,RM,SERIAL,MODEL,TRAN`.
// Contract: returns only entries whose kernel names are valid (invariant 7); entries with
// odd names are reported in `rejected` so the caller can log them, never used. Serial and
// model are device-supplied and kept only as display strings.
import { isKernelName, printable } from '../../util/names.js';
import { ParseError } from './mdadm-export.js';

export interface BlockDevice {
  name: string;
  parent?: string;
  type: string; // disk, part, raid0, raid1, loop, rom, …
  sizeBytes: number;
  readOnly: boolean;
  removable: boolean;
  serial?: string;
  model?: string;
  transport?: string;
}

interface RawEntry {
  name?: string;
  kname?: string;
  pkname?: string | null;
  type?: string;
  size?: number | string | null;
  ro?: boolean | string | number;
  rm?: boolean | string | number;
  serial?: string | null;
  model?: string | null;
  tran?: string | null;
}

const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1';

export function parseLsblk(text: string): { devices: BlockDevice[]; rejected: string[] } {
  let data: { blockdevices?: RawEntry[] };
  try {
    data = JSON.parse(text) as { blockdevices?: RawEntry[] };
  } catch (e) {
    throw new ParseError('lsblk --json', String(e));
  }
  if (!Array.isArray(data.blockdevices)) throw new ParseError('lsblk --json', 'no blockdevices array');
  const devices: BlockDevice[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const e of data.blockdevices) {
    const name = e.kname ?? e.name ?? '';
    if (!isKernelName(name)) {
      rejected.push(printable(name));
      continue;
    }
    if (seen.has(name)) continue; // --list repeats a device under each holder
    seen.add(name);
    const parent = e.pkname && isKernelName(e.pkname) ? e.pkname : undefined;
    devices.push({
      name,
      parent,
      type: e.type ?? 'unknown',
      sizeBytes: Number(e.size ?? 0),
      readOnly: truthy(e.ro),
      removable: truthy(e.rm),
      serial: e.serial ? printable(e.serial) : undefined,
      model: e.model ? printable(e.model) : undefined,
      transport: e.tran ?? undefined,
    });
  }
  return { devices, rejected };
}
