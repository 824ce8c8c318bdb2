// Pure parsers of `mdadm --detail --export` and `mdadm --examine --export` output
// (KEY=VALUE lines). Contract: no I/O; unknown keys are kept in `raw`; UUIDs are normalized
// to 32 lowercase hex; a missing required key throws ParseError naming it.
import { normalizeUuid } from '../../util/names.js';

export class ParseError extends Error {
  constructor(what: string, detail: string) {
    super(`cannot parse ${what}: ${detail}`);
    this.name = 'ParseError';
  }
}

export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return out;
}

export interface MdDetail {
  level: string; // raid0, raid1, …
  raidDevices: number;
  metadata: string;
  uuid: string;
  devname?: string;
  name?: string;
  /** Member devices by kernel name with their role: a slot number, or "spare"/"faulty"/… */
  members: Array<{ dev: string; role: string }>;
  raw: Record<string, string>;
}

export function parseDetailExport(text: string): MdDetail {
  const kv = parseKeyValues(text);
  const need = (k: string): string => {
    const v = kv[k];
    if (v === undefined) throw new ParseError('mdadm --detail --export', `missing ${k}`);
    return v;
  };
  const members: MdDetail['members'] = [];
  for (const [k, v] of Object.entries(kv)) {
    const m = /^MD_DEVICE_(.+)_ROLE$/.exec(k);
    if (!m) continue;
    const devPath = kv[`MD_DEVICE_${m[1]}_DEV`] ?? `/${m[1]!.replace(/_/g, '/')}`;
    members.push({ dev: devPath.replace(/^\/dev\//, ''), role: v });
  }
  return {
    level: need('MD_LEVEL'),
    raidDevices: Number(need('MD_DEVICES')),
    metadata: kv.MD_METADATA ?? '',
    uuid: normalizeUuid(need('MD_UUID')),
    devname: kv.MD_DEVNAME,
    name: kv.MD_NAME,
    members,
    raw: kv,
  };
}

export interface MdExamine {
  level: string;
  raidDevices: number;
  /** The UUID of the array this device belongs to. */
  uuid: string;
  /** This device's own UUID inside the array (stable across renames). */
  devUuid?: string;
  name?: string;
  events?: number;
  /** Set from the superblock itself: the member's last recovery was interrupted. */
  partlyRecovered?: boolean;
  raw: Record<string, string>;
}

/** Returns undefined for a device without an md superblock (empty output). */
export function parseExamineExport(text: string): MdExamine | undefined {
  const kv = parseKeyValues(text);
  if (!kv.MD_UUID) return undefined;
  return {
    level: kv.MD_LEVEL ?? 'unknown',
    raidDevices: Number(kv.MD_DEVICES ?? '0'),
    uuid: normalizeUuid(kv.MD_UUID),
    devUuid: kv.MD_DEV_UUID ? normalizeUuid(kv.MD_DEV_UUID) : undefined,
    name: kv.MD_NAME,
    events: kv.MD_EVENTS !== undefined ? Number(kv.MD_EVENTS) : undefined,
    raw: kv,
  };
}

/** Plain `mdadm --examine`: "    Data Offset : 2048 sectors" -> bytes. 0.90/1.0 have none -> 0. */
export function parseDataOffsetBytes(examine: string): number {
  const m = /Data Offset\s*:\s*(\d+)\s*sectors/.exec(examine);
  return m ? Number(m[1]) * 512 : 0;
}
