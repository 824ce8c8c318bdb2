// The snapshot copy as a daemon Service: its part of `baysync status` (and so of `baysync check`)
// on the primary, read from copy.json (and, while a run goes, its progress file); the run itself is `baysync copy run` (by hand, or from a
// timer), in its own process under /run/baysync/copy.lock. Contract: status() reads one small
// file and never blocks on a run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Service } from '../jobs/service.js';
import { RecordStore } from '../jobs/store.js';
import { processAlive, readHolder } from '../util/lockfile.js';
import type { ProgressSnap } from './progress.js';
import { type CopyRecord, copyRecordSpec } from './record.js';
import { copyStatus } from './status.js';

export const copyLockPath = (runDir: string): string => join(runDir, 'copy.lock');
/** The running copy's progress (progress.ts ProgressSnap), rewritten every few seconds. */
export const copyProgressPath = (runDir: string): string => join(runDir, 'copy-progress.json');

export class CopyService implements Service {
  readonly name = 'copy';
  static readonly commands = [] as const;
  readonly commands = CopyService.commands;
  private readonly store: RecordStore<CopyRecord>;

  constructor(
    private readonly cfg: Config,
    private readonly now: () => number,
  ) {
    this.store = new RecordStore(cfg.paths.state_dir, 'copy', copyRecordSpec);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  busy(): boolean {
    return false;
  }

  statusLine(): string | undefined {
    return undefined;
  }

  status(): Record<string, unknown> {
    if (!this.cfg.copy) return {};
    const holder = readHolder(copyLockPath(this.cfg.paths.run_dir));
    const running = holder && processAlive(holder) ? { runningPid: holder, ...this.progress() } : {};
    return { copy: { ...copyStatus(this.cfg.copy, this.store.load(), this.now()), ...running } };
  }

  private progress(): { progress?: ProgressSnap } {
    try {
      const snap = JSON.parse(readFileSync(copyProgressPath(this.cfg.paths.run_dir), 'utf8')) as ProgressSnap;
      return typeof snap.text === 'string' ? { progress: snap } : {};
    } catch {
      return {};
    }
  }

  handle(req: { cmd: string }): Promise<unknown> {
    return Promise.reject(new Error(`the snapshot copy does not answer ${req.cmd}`));
  }
}
