// Push mode's watcher in front of a recording executor (rsync itself is proven in test/netns):
// a full reconcile at start, then the changed paths, batched.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { MailSpool } from '../../src/mail/spool.js';
import type { SyncRequest } from '../../src/realtime/plan.js';
import { Pusher } from '../../src/realtime/pusher.js';
import type { RunOutcome, SyncExecutor } from '../../src/realtime/run.js';

const until = async (pred: () => boolean): Promise<void> => {
  for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
};

/** The shipped standby example in push mode, from a fresh source directory. */
function pushConfig() {
  const src = mkdtempSync(join(tmpdir(), 'push-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8')
    .replace('mode = "pull"', 'mode = "push"')
    .replace('source = "/"', `source = "${src}"`);
  return { src, cfg: parseConfigText('a.toml', text) };
}

describe('Pusher', () => {
  it('reconciles in full at start, then sends the changed paths', async () => {
    const { src, cfg } = pushConfig();
    const reqs: SyncRequest[] = [];
    const exec = {
      run: async (req: SyncRequest): Promise<RunOutcome> => {
        reqs.push(req);
        return { status: 'done', run: { ok: true } as never };
      },
    } as unknown as SyncExecutor;
    const p = new Pusher(cfg, exec, {} as MailSpool);
    await p.start();
    try {
      await until(() => reqs.length >= 1);
      expect(reqs[0]).toEqual({ kind: 'full' });
      writeFileSync(join(src, 'new.txt'), 'x');
      await until(() => reqs.length >= 2);
      expect(reqs[1]).toMatchObject({ kind: 'paths' });
      expect(JSON.stringify(reqs[1])).toContain('new.txt');
      expect(p.status().watcher).toBe('watching');
    } finally {
      await p.stop();
    }
  });
});

describe('Pusher under a flood of changes (issue 10)', () => {
  it('beyond its cap of pending paths it sends one full sync instead of holding them all', async () => {
    const { src, cfg } = pushConfig();
    const reqs: SyncRequest[] = [];
    let release: () => void = () => undefined;
    const exec = {
      run: async (req: SyncRequest): Promise<RunOutcome> => {
        reqs.push(req);
        if (reqs.length === 1) await new Promise<void>((r) => (release = r)); // the start-up sync is slow
        return { status: 'done', run: { ok: true } as never };
      },
    } as unknown as SyncExecutor;
    const p = new Pusher(cfg, exec, {} as MailSpool, Date.now, () => undefined, 5);
    await p.start();
    try {
      await until(() => reqs.length === 1);
      for (let i = 0; i < 20; i++) writeFileSync(join(src, `f${i}`), 'x');
      await until(() => p.status().pending === 0 && reqs.length === 1);
      release();
      await until(() => reqs.length >= 2);
      expect(reqs[1]).toEqual({ kind: 'full' });
    } finally {
      await p.stop();
    }
  });
});
