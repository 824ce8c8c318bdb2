import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backuppcOps, countProcesses } from '../../src/system/backuppc.js';
import { renderOp } from '../../src/system/op.js';

const cfg = {
  enabled: true,
  control_include: '/etc/backuppc/x.pl',
  server_mesg: '/usr/share/backuppc/bin/BackupPC_serverMesg',
  user: 'backuppc',
  service: 'backuppc.service',
  stop_when_idle: true,
};

describe('backuppcOps', () => {
  it('runs the reload as the backuppc user and the service through systemctl, with -- before config operands', () => {
    expect(backuppcOps.reload(cfg)).toMatchObject({
      argv: ['runuser', '-u', 'backuppc', '--', cfg.server_mesg, 'server', 'reload'],
      mayFail: true,
    });
    expect([renderOp(backuppcOps.stop(cfg)), renderOp(backuppcOps.start(cfg))]).toEqual([
      'systemctl stop -- backuppc.service',
      'systemctl start -- backuppc.service',
    ]);
  });
});

describe('countProcesses', () => {
  it('counts processes by their comm, read from /proc', async () => {
    const proc = mkdtempSync(join(tmpdir(), 'proc-'));
    for (const [pid, comm] of [
      ['10', 'BackupPC_dump'],
      ['11', 'BackupPC_dump'],
      ['12', 'bash'],
    ]) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'comm'), `${comm}\n`);
    }
    expect(await countProcesses(proc, 'BackupPC_dump')).toBe(2);
  });
});
