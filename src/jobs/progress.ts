// Progress and figures shared by every job: percent, rate and ETA, and the byte and duration
// formats of status lines, mails and `baysync status`. Contract: pure functions of their
// arguments (no clock).
export interface Progress {
  done: number;
  total: number;
  /** Rate in KiB/s, when known. */
  speedKps?: number;
  /** Size of one unit of done/total in bytes (md counts 512-byte sectors). */
  unitBytes?: number;
}

export function percent(p: Progress): number | undefined {
  return p.total > 0 ? (100 * p.done) / p.total : undefined;
}

export function etaSeconds(p: Progress): number | undefined {
  if (!p.speedKps || p.speedKps <= 0) return undefined;
  return Math.round(((p.total - p.done) * (p.unitBytes ?? 512)) / 1024 / p.speedKps);
}

export function formatEta(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "43.5%, 112.0 MiB/s, ETA 3m12s" */
export function progressText(p: Progress): string {
  const pct = percent(p);
  const eta = etaSeconds(p);
  return [
    pct === undefined ? undefined : `${pct.toFixed(1)}%`,
    p.speedKps ? `${(p.speedKps / 1024).toFixed(1)} MiB/s` : undefined,
    eta === undefined ? undefined : `ETA ${formatEta(eta)}`,
  ]
    .filter(Boolean)
    .join(', ');
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}
