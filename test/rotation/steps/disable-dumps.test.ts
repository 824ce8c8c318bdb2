import { describe, expect, it } from 'vitest';
import { disableDumpsStep } from '../../../src/rotation/steps/disable-dumps.js';
import { planCtx, recorded } from '../fixtures.js';

describe('step disable-dumps', () => {
  it('persists BackupPC state before it writes the include (invariant 5), then reloads the running server', async () => {
    const c = planCtx();
    const r = recorded(c);
    await disableDumpsStep.run(r.ctx, r.exec, disableDumpsStep.ops!(c));
    expect(r.events[0]).toMatch(
      /^persist: .*"controlBefore":"\$Conf\{BackupsDisable\} = 0; # site\\n","serviceWasActive":true/,
    );
    expect(r.events.slice(1)).toEqual([
      'op: write /etc/backuppc/external-control.pl: $Conf{BackupsDisable} = 2; # set by baysync during a rotation; baysync restores the previous content',
      'op: runuser -u backuppc -- /usr/share/backuppc/bin/BackupPC_serverMesg server reload',
    ]);
  });

  it('a reload that fails is a warning, not an abort', async () => {
    const c = planCtx();
    const r = recorded(c, (op) => (op.kind === 'run' ? { exitCode: 1, stderr: "Can't connect to server" } : {}));
    await disableDumpsStep.run(r.ctx, r.exec, disableDumpsStep.ops!(c));
    expect(r.ctx.r.warnings[0]).toMatch(/did not take the reload/);
  });

  it('does not apply when BackupPC control is off', () => {
    const c = planCtx();
    expect(
      disableDumpsStep.applies!({ ...c, cfg: { ...c.cfg, backuppc: { ...c.cfg.backuppc, enabled: false } } }),
    ).toBe(false);
  });
});
