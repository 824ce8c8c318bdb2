import { describe, expect, it } from 'vitest';
import { enableDumpsStep } from '../../../src/rotation/steps/enable-dumps.js';
import { renderOp } from '../../../src/system/op.js';
import { baseFacts, planCtx } from '../fixtures.js';

describe('step enable-dumps (invariant 5)', () => {
  it('gives the include back its content from before the rotation, verbatim', () => {
    const c = planCtx({ backuppc: { controlBefore: '# site\n$Conf{BackupsDisable} = 1;\n', serviceWasActive: true } });
    const [op] = enableDumpsStep.ops!(c);
    expect(op).toMatchObject({
      kind: 'file',
      path: '/etc/backuppc/external-control.pl',
      content: '# site\n$Conf{BackupsDisable} = 1;\n',
    });
  });

  it('reloads only a running server', () => {
    const r = { backuppc: { controlBefore: null, serviceWasActive: true } };
    expect(enableDumpsStep.ops!(planCtx(r)).map(renderOp)).toHaveLength(2);
    expect(
      enableDumpsStep.ops!(planCtx(r, { ...baseFacts(), backuppc: { serviceActive: false, runningDumps: 0 } })),
    ).toHaveLength(1);
  });
});
