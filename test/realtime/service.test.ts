import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { MailSpool } from '../../src/mail/spool.js';
import { RealtimeService } from '../../src/realtime/service.js';
import type { CommandRunner } from '../../src/system/runner.js';

describe('RealtimeService', () => {
  it('in pull mode it watches nothing; its status carries why the sync is suspended', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-'));
    const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');
    const cfg = parseConfigText('standby.toml', `${text}\n[paths]\nstate_dir = "${dir}"\nrun_dir = "${dir}/run"\n`);
    let why: string | undefined;
    const s = new RealtimeService(cfg, {
      runner: {} as CommandRunner,
      mail: {} as MailSpool,
      now: Date.now,
      suspended: () => why,
      onStatus: () => undefined,
    });
    expect(s.pusher).toBeUndefined();
    expect(s.statusLine()).toMatch(/baysync-sync\.timer/);
    expect(s.status()).toMatchObject({ realtime: { mode: 'pull', suspended: undefined } });
    why = 'failover active';
    expect(s.status()).toMatchObject({ realtime: { suspended: 'failover active' } });
  });
});
