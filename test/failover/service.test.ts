import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { FailoverConfig } from '../../src/config/schema.js';
import { FailoverService } from '../../src/failover/service.js';
import { FailoverStore } from '../../src/failover/state.js';
import type { MailSpool } from '../../src/mail/spool.js';
import type { NetAdapter } from '../../src/system/net.js';
import type { SshAdapter } from '../../src/system/ssh.js';
import type { SystemdAdapter } from '../../src/system/systemd.js';

function service(phase: 'monitoring' | 'active') {
  const dir = mkdtempSync(join(tmpdir(), 'fo-'));
  const text = readFileSync(new URL('../../examples/standby.toml', import.meta.url), 'utf8');
  const cfg = parseConfigText('standby.toml', `${text}\n[paths]\nstate_dir = "${dir}"\nrun_dir = "${dir}/run"\n`);
  const store = new FailoverStore(dir);
  store.save({ ...store.load(), phase });
  const deps = {
    net: {} as NetAdapter,
    ssh: {} as SshAdapter,
    systemd: {} as SystemdAdapter,
    mail: {} as MailSpool,
    now: Date.now,
    onStatus: () => undefined,
  };
  return new FailoverService(cfg as typeof cfg & { failover: FailoverConfig }, deps);
}

describe('FailoverService', () => {
  it('tells the standby sync it is suspended once a takeover is made, and only then', () => {
    expect(service('monitoring').suspended()).toBeUndefined();
    expect(service('active').suspended()).toBe('failover active');
  });

  it('answers failover status with the persisted phase; other requests are not its own', async () => {
    const s = service('active');
    expect(await s.handle({ cmd: 'failover', action: 'status' })).toMatchObject({
      phase: 'active',
      serviceAddress: '192.168.1.1/24',
    });
    await expect(s.handle({ cmd: 'plan' })).rejects.toThrow(/does not answer plan/);
  });
});
