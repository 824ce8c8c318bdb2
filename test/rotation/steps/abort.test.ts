import { describe, expect, it } from 'vitest';
import { planSteps } from '../../../src/jobs/step.js';
import { abortSteps } from '../../../src/rotation/steps/abort.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx, withStripe } from '../fixtures.js';

describe('abort steps', () => {
  it('thaw first, then take the partial copy out, stop it, restore BackupPC, report', () => {
    const c = planCtx(
      { phase: 'aborting', frozen: true, backuppc: { controlBefore: null, serviceWasActive: true } },
      {
        ...withStripe(
          baseFacts(),
          [
            ['md3', ['in_sync']],
            ['md8', []],
          ],
          { degraded: 1 },
        ),
        backuppc: { serviceActive: false, runningDumps: 0 },
      },
    );
    const plan = planSteps(abortSteps, c);
    expect(plan.filter((s) => s.status === 'pending').map((s) => s.id)).toEqual([
      'abort-thaw',
      'abort-remove-stripe',
      'abort-stop-stripe',
      'abort-restore-backuppc',
      'abort-report',
    ]);
    expect(plan.find((s) => s.id === 'abort-restore-backuppc')!.ops.map(renderOp)).toEqual([
      'systemctl start -- backuppc.service',
      'write /etc/backuppc/external-control.pl: $Conf{BackupsDisable} = 0;',
      'runuser -u backuppc -- /usr/share/backuppc/bin/BackupPC_serverMesg server reload',
    ]);
  });

  it('a set removed from the config mid-rotation touches no array', () => {
    const c = planCtx(
      { phase: 'aborting', set: 'Z' },
      withStripe(baseFacts(), [
        ['md3', ['in_sync']],
        ['md8', []],
      ]),
    );
    const plan = planSteps(abortSteps, c);
    expect(plan.filter((s) => s.status === 'pending').map((s) => s.id)).toEqual(['abort-report']);
  });
});

describe('abort after a kill mid-verification', () => {
  it('releases the verification mount before it stops the stripe', () => {
    const c = planCtx({ phase: 'aborting' }, { ...withStripe(baseFacts()), copy: { mounted: true } });
    const stop = planSteps(abortSteps, c).find((s) => s.id === 'abort-stop-stripe')!;
    expect(stop.ops.map(renderOp)).toEqual(['umount -- /run/baysync/verify/A', 'mdadm --stop /dev/md8']);
  });
});
