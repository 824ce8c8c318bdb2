// A Prometheus textfile for node_exporter's textfile collector, from the daemon's status: each
// job's key figures as timestamps (they never go stale between writes), last durations, bytes
// and failures. renderMetrics() is pure; MetricsWriter writes the file atomically (temp + rename)
// a second after a status change (a job starting, a phase, a job ending) and at start, and only
// when the collector's directory exists. Contract: never throws into the daemon; a failed write
// is logged once per error text.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { StatusData } from './status.js';

type Labels = Record<string, string>;
interface Sample {
  labels?: Labels;
  value: number | undefined;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const ts = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) / 1000 : undefined);

function family(out: string[], name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void {
  const known = samples.filter((s) => s.value !== undefined && Number.isFinite(s.value));
  if (!known.length) return;
  out.push(`# HELP baysync_${name} ${help}`, `# TYPE baysync_${name} ${type}`);
  for (const s of known) {
    const l = Object.entries(s.labels ?? {})
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',');
    out.push(`baysync_${name}${l ? `{${l}}` : ''} ${s.value}`);
  }
}

export function renderMetrics(s: StatusData): string {
  const out: string[] = [];
  family(out, 'info', 'gauge', 'The running daemon, by version.', [{ labels: { version: s.version }, value: 1 }]);
  family(out, 'mail_spool_messages', 'gauge', 'Mails waiting for the transport.', [{ value: s.mailPending }]);
  if (s.sets.length) {
    const last = (set: string) => s.history.find((h) => h.set === set);
    family(
      out,
      'rotation_last_success_timestamp_seconds',
      'gauge',
      "End of the set's last successful rotation (its offline copy's age is time() minus this).",
      s.sets.map((x) => ({ labels: { set: x.name }, value: ts(x.lastSuccess) })),
    );
    family(
      out,
      'rotation_last_duration_seconds',
      'gauge',
      "Duration of the set's last rotation.",
      s.sets.map((x) => {
        const h = last(x.name);
        return {
          labels: { set: x.name },
          value: h ? (Date.parse(h.endedAt) - Date.parse(h.startedAt)) / 1000 : undefined,
        };
      }),
    );
    family(
      out,
      'rotation_last_resync_bytes',
      'gauge',
      'Bytes md copied to the set in its last rotation.',
      s.sets.map((x) => ({ labels: { set: x.name }, value: last(x.name)?.resyncBytes })),
    );
    family(
      out,
      'rotation_last_ok',
      'gauge',
      "1 when the set's last rotation succeeded, 0 when it failed, aborted or was inconclusive.",
      s.sets.map((x) => ({
        labels: { set: x.name },
        value: x.lastOutcome === undefined ? undefined : x.lastOutcome === 'success' ? 1 : 0,
      })),
    );
    family(out, 'rotation_running', 'gauge', '1 while a rotation runs.', [{ value: s.rotation ? 1 : 0 }]);
    family(out, 'pool_missing_mirrors', 'gauge', 'Mirrors the pool runs without.', [{ value: s.poolProblems.length }]);
  }
  const rt = s.realtime;
  if (rt) {
    const run = rt.lastRun;
    family(out, 'sync_last_success_timestamp_seconds', 'gauge', 'End of the last successful standby sync.', [
      { value: ts(rt.lastSuccessAt) },
    ]);
    family(out, 'sync_last_duration_seconds', 'gauge', 'Duration of the last sync run.', [
      { value: run ? run.durationMs / 1000 : undefined },
    ]);
    family(out, 'sync_last_bytes', 'gauge', 'Bytes sent and received by the last sync run.', [
      { value: run ? (run.bytesSent ?? 0) + (run.bytesReceived ?? 0) : undefined },
    ]);
    family(out, 'sync_consecutive_failures', 'gauge', 'Sync runs failed in a row.', [
      { value: rt.consecutiveFailures },
    ]);
    family(out, 'sync_bytes_total', 'counter', 'Bytes moved by sync runs since the record began.', [
      { value: rt.bytesMovedTotal },
    ]);
  }
  if (s.failover)
    family(out, 'failover_takeover_active', 'gauge', "1 while this standby holds the main server's address.", [
      { value: s.failover.takeover ? 1 : 0 },
    ]);
  return `${out.join('\n')}\n`;
}

export class MetricsWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastError = '';

  constructor(
    private readonly file: string | undefined,
    private readonly status: () => StatusData,
    private readonly log: Logger,
    private readonly delayMs = 1000,
  ) {}

  /** Write a second from now (one write for a burst of changes). */
  schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, this.delayMs);
    this.timer.unref();
  }

  writeNow(): void {
    if (!this.file || !existsSync(dirname(this.file))) return;
    try {
      writeFileAtomic(this.file, renderMetrics(this.status()), 0o644);
      this.lastError = '';
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.lastError) this.log.error({ file: this.file, err: msg }, 'cannot write the metrics textfile');
      this.lastError = msg;
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
