// The FakeSystem's model: disks with partitions and md superblocks, md arrays with members,
// bitmaps and recovery progress. Plain data; fake-system.ts holds it and answers commands.

export interface Superblock {
  partlyRecovered?: boolean;
  uuid: string; // normalized
  level: string;
  raidDevices: number;
  devUuid: string;
  events: number;
  name: string;
}

export interface FakePart {
  name: string;
  sizeBytes: number;
  sb?: Superblock;
}

export interface FakeDisk {
  name: string;
  sizeBytes: number;
  serial: string;
  parts: FakePart[];
}

export interface FakeMember {
  dev: string;
  slot: number | undefined;
  state: string[];
}

export interface FakeArray {
  name: string;
  uuid: string;
  level: 'raid0' | 'raid1';
  raidDisks: number;
  members: FakeMember[];
  readonly: boolean;
  bitmap: boolean;
  syncAction: string;
  syncDone?: number;
  syncTotal?: number;
  sizeBytes: number;
  componentSizeKiB: number;
  dataOffsetSectors: number;
  /** md/bitmap/time_base in seconds (md's default 5); the daemon shortens it while frozen. */
  bitmapTimeBase?: number;
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');
let uuidCounter = 1;
export function fakeUuid(tag: number): string {
  return `${hex(0xba75c000 + tag)}${hex(uuidCounter++)}${hex(tag)}${hex(0xfeed)}`;
}

/** A command's answer in the fake: exit code and output. */
export interface Reply {
  code: number;
  out?: string;
  err?: string;
}
