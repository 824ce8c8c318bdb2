import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsWriter, renderMetrics } from '../../src/daemon/metrics.js';
import type { StatusData } from '../../src/daemon/status.js';
import { type Harness, startHarness, syncToEnd, waitUntil } from '../helpers/harness.js';

const status = (over: Partial<StatusData> = {}): StatusData => ({
  version: '0.1.0',
  pid: 1,
  startedAt: '2026-12-01T00:00:00Z',
  statusLine: 'idle',
  mailPending: 0,
  mailLastError: null,
  rotation: null,
  sets: [
    { name: 'A', lastSuccess: '2026-12-01T10:00:00Z', lastOutcome: 'success', overdue: false },
    { name: 'B', overdue: true },
  ],
  waiting: [],
  poolProblems: [],
  history: [
    {
      id: '1',
      set: 'A',
      outcome: 'success',
      startedAt: '2026-12-01T09:58:00Z',
      endedAt: '2026-12-01T10:00:00Z',
      resyncBytes: 8_388_608,
      summary: 'ok',
    },
  ],
  ...over,
});

// The text exposition format: comments, then `name{label="v",…} value`.
const sampleLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.e+]+$/;

describe('the Prometheus textfile', () => {
  it('timestamps, durations and bytes per set; a set that never rotated has no sample, not a zero', () => {
    const text = renderMetrics(status());
    for (const l of text.trim().split('\n')) if (!l.startsWith('#')) expect(l).toMatch(sampleLine);
    expect(text).toContain(
      `baysync_rotation_last_success_timestamp_seconds{set="A"} ${Date.parse('2026-12-01T10:00:00Z') / 1000}`,
    );
    expect(text).toContain('baysync_rotation_last_duration_seconds{set="A"} 120');
    expect(text).toContain('baysync_rotation_last_resync_bytes{set="A"} 8388608');
    expect(text).toContain('baysync_rotation_last_ok{set="A"} 1');
    expect(text).not.toMatch(/set="B"/);
    expect(text).toContain('# TYPE baysync_rotation_running gauge\nbaysync_rotation_running 0');
  });

  it('label values are escaped', () => {
    expect(renderMetrics(status({ version: 'x"y\\z' }))).toContain('baysync_info{version="x\\"y\\\\z"} 1');
  });

  it('is written only where the collector directory exists, atomically, once for a burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    try {
      const file = join(dir, 'node-exporter', 'baysync.prom');
      let reads = 0;
      const w = new MetricsWriter(file, () => (reads++, status()), pino({ level: 'silent' }), 10);
      w.writeNow();
      expect(existsSync(file)).toBe(false);
      mkdirSync(join(dir, 'node-exporter'));
      for (let i = 0; i < 5; i++) w.schedule();
      await waitUntil(() => existsSync(file), 'the textfile');
      expect(reads).toBe(1);
      expect(readFileSync(file, 'utf8')).toContain('baysync_info{version="0.1.0"} 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the daemon writes the textfile after a job', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  it('after a rotation of set A, its success is in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-d-'));
    const file = join(dir, 'baysync.prom');
    h = await startHarness({ extra: `[metrics]\ntextfile = "${file}"\n` });
    await h.plug('A');
    await syncToEnd(h);
    await h.smtp.waitFor((m) => m.subject.includes('set A') && m.subject.includes('safe to remove'));
    await waitUntil(
      () => existsSync(file) && readFileSync(file, 'utf8').includes('baysync_rotation_last_ok{set="A"} 1'),
      'the textfile with set A',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
