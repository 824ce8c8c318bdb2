// Pure parsers of md sysfs attribute values (/sys/block/mdX/md/*). Contract: no I/O; each
// takes the raw file content (with or without trailing newline).
export interface SyncProgress {
  done: number; // sectors
  total: number; // sectors
}

/** "55552 / 880640" -> {done, total}; "none" or "delayed" -> undefined. */
export function parseSyncCompleted(v: string): SyncProgress | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  if (!m) return undefined;
  return { done: Number(m[1]), total: Number(m[2]) };
}

/** "in_sync,write_mostly" -> ["in_sync","write_mostly"] */
export function parseDevState(v: string): string[] {
  return v.trim().split(',').filter(Boolean);
}

/** A slot file holds a number or "none". */
export function parseSlot(v: string): number | undefined {
  const t = v.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

export function parseIntAttr(v: string): number | undefined {
  const t = v.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}
