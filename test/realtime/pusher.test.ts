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

describe('Pusher', () => {
  it('reconciles in full at start, then sends the changed paths', async () => {
    const src = mkdtempSync(join(tmpdir(), 'push-'));
    const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8')
      .replace('mode = "pull"', 'mode = "push"')
      .replace('source = "/"', `source = "${src}"`);
    const cfg = parseConfigText('a.toml', text);
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
