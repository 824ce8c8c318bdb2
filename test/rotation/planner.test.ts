// Unit tests of the pure planner and detection: facts in, steps and decisions out.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/rotation/planner.js';
import { checkSet } from '../../src/rotation/steps/check-set.js';
import type { Facts, RotationState, StepId } from '../../src/rotation/types.js';
import { arr, baseFacts, cand, cfg, H, rot, withStripe } from './fixtures.js';

describe('checks before anything is written', () => {
  it('waits for an incomplete set', () => {
    const c = checkSet({ cfg, rotation: rot(), facts: baseFacts({ candidates: [cand('sde2', 'sde', H(8))] }) });
    expect(c).toMatchObject({ ok: false, wait: true });
  });
  it('refuses a too-small set', () => {
    const f = baseFacts({
      candidates: [cand('sde2', 'sde', H(8)), cand('sdf2', 'sdf', H(8))].map((c) => ({ ...c, sizeBytes: 100 })),
    });
    expect(checkSet({ cfg, rotation: rot(), facts: f })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/too small/),
    });
  });
  it('refuses when the pool is not mounted', () => {
    expect(checkSet({ cfg, rotation: rot(), facts: baseFacts({ mountpointMounted: false }) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not mounted/),
    });
  });
  it('refuses when the mirror has no free slot', () => {
    const f = baseFacts();
    f.arrays = f.arrays.map((a) =>
      a.name === 'md5'
        ? arr('md5', H(5), [
            ['md3', ['in_sync']],
            ['sdz', ['in_sync']],
          ])
        : a,
    );
    expect(checkSet({ cfg, rotation: rot(), facts: f })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not degraded|rebuilding/),
    });
  });
});

describe('plan', () => {
  const ids = (f: Facts, r: RotationState): StepId[] => plan({ cfg, rotation: r, facts: f }).steps.map((s) => s.id);

  it('lists the seed procedure in order', () => {
    expect(ids(baseFacts(), rot())).toEqual([
      'check-set',
      'assemble-stripe',
      'join-mirror',
      'add-root-partitions',
      'disable-dumps',
      'stop-idle-backuppc',
      'wait-clean',
      'remove-root-partitions',
      'stop-backuppc',
      'flush',
      'freeze',
      'remove-stripe',
      'thaw',
      'enable-dumps',
      'start-backuppc',
      'stop-stripe',
      'verify-assemble',
      'verify-fsck',
      'verify-copy',
      'verify-release',
      'spin-down',
      'send-report',
    ]);
  });

  it('first runs the check, then assembles', () => {
    const p1 = plan({ cfg, rotation: rot(), facts: baseFacts() });
    expect(p1.next).toMatchObject({ kind: 'run', step: { id: 'check-set' } });
    const p2 = plan({ cfg, rotation: rot({ done: ['check-set'] }), facts: baseFacts() });
    expect(p2.next).toMatchObject({ kind: 'run', step: { id: 'assemble-stripe' } });
    expect(p2.phase).toBe('assembling');
  });

  it('an assembled stripe counts as assembled even if the record missed it (crash)', () => {
    const p = plan({ cfg, rotation: rot({ done: ['check-set'] }), facts: withStripe(baseFacts()) });
    expect(p.next).toMatchObject({ kind: 'run', step: { id: 'join-mirror' } });
  });

  it('waits while the mirror recovers, then detaches', () => {
    const joined = withStripe(
      baseFacts(),
      [
        ['md3', ['in_sync']],
        ['md8', []],
      ],
      { syncAction: 'recover', degraded: 1, syncCompleted: { done: 10, total: 100 } },
    );
    joined.arrays = joined.arrays.map((a) =>
      a.name === 'md1'
        ? arr(
            'md1',
            H(1),
            [
              ['sda1', ['in_sync']],
              ['sde1', ['in_sync']],
              ['sdf1', ['in_sync']],
            ],
            { raidDisks: 6 },
          )
        : a,
    );
    const r = rot({ done: ['check-set', 'disable-dumps'], backuppc: { controlBefore: null, serviceWasActive: true } });
    const waiting = plan({
      cfg,
      rotation: r,
      facts: { ...joined, backuppc: { serviceActive: true, runningDumps: 2 } },
    });
    expect(waiting.next).toMatchObject({ kind: 'wait', reason: 'recover 10.0%' });
    expect(waiting.steps.find((s) => s.id === 'stop-idle-backuppc')?.status).toBe('deferred');
    const idle = plan({ cfg, rotation: r, facts: joined });
    expect(idle.next).toMatchObject({ kind: 'run', step: { id: 'stop-idle-backuppc' } });
    const clean = withStripe(
      joined,
      [
        ['md3', ['in_sync']],
        ['md8', ['in_sync']],
      ],
      { degraded: 0 },
    );
    const p = plan({ cfg, rotation: { ...r, done: [...r.done, 'stop-idle-backuppc'] }, facts: clean });
    expect(p.phase).toBe('detaching');
    expect(p.next).toMatchObject({ kind: 'run', step: { id: 'remove-root-partitions' } });
  });

  it('aborts when a drive disappears before the detach', () => {
    const f = withStripe(
      baseFacts({ candidates: [cand('sde2', 'sde', H(8))] }),
      [
        ['md3', ['in_sync']],
        ['md8', []],
      ],
      { syncAction: 'recover', degraded: 1 },
    );
    const p = plan({ cfg, rotation: rot({ phase: 'syncing', done: ['check-set', 'disable-dumps'] }), facts: f });
    expect(p.next).toMatchObject({ kind: 'abort', reason: expect.stringMatching(/disappeared during/) });
  });

  it('refuses to join, and aborts before the detach, when the mirror is out of the top mirror (stale pool half)', () => {
    const outOfTop = (f: Facts): Facts => ({
      ...f,
      arrays: [...f.arrays.filter((a) => a.name !== 'md7'), arr('md7', H(7), [['md6', ['in_sync']]])],
    });
    const c = checkSet({ cfg, rotation: rot(), facts: outOfTop(baseFacts()) });
    expect(c).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /mirror md5 is not an in-sync member of the top mirror md7 \(absent\).*mdadm \/dev\/md7 --re-add \/dev\/md5/,
      ),
    });
    const f = outOfTop(
      withStripe(
        baseFacts(),
        [
          ['md3', ['in_sync']],
          ['md8', []],
        ],
        { syncAction: 'recover', degraded: 1 },
      ),
    );
    const p = plan({
      cfg,
      rotation: rot({ phase: 'syncing', done: ['check-set', 'assemble-stripe', 'join-mirror', 'disable-dumps'] }),
      facts: f,
    });
    expect(p.next).toMatchObject({
      kind: 'abort',
      reason: expect.stringMatching(/not an in-sync member of the top mirror md7/),
    });
  });

  it('does not abort for a missing set after the detach', () => {
    const f = baseFacts({ candidates: [] });
    const r = rot({
      phase: 'spinning-down',
      done: [
        'check-set',
        'disable-dumps',
        'freeze',
        'remove-stripe',
        'thaw',
        'stop-stripe',
        'start-backuppc',
        'enable-dumps',
        'stop-backuppc',
        'flush',
        'remove-root-partitions',
        'wait-clean',
      ],
      verify: { ok: true, detail: '', sampled: 1, mismatched: [], markerFound: true },
    });
    expect(plan({ cfg, rotation: r, facts: f }).next.kind).not.toBe('abort');
  });

  it('abort steps undo only what is there', () => {
    const f = withStripe(
      baseFacts(),
      [
        ['md3', ['in_sync']],
        ['md8', []],
      ],
      { syncAction: 'recover', degraded: 1 },
    );
    const r = rot({ phase: 'aborting', abortReason: 'x', backuppc: { controlBefore: null, serviceWasActive: true } });
    const p = plan({ cfg, rotation: r, facts: f });
    expect(p.steps.filter((s) => s.status === 'pending').map((s) => s.id)).toEqual([
      'abort-remove-stripe',
      'abort-stop-stripe',
      'abort-restore-backuppc',
      'abort-report',
    ]);
    expect(p.next).toMatchObject({ kind: 'run', step: { id: 'abort-remove-stripe' } });
  });

  it('a failed verification skips the spin-down and finishes as failed', () => {
    const r = rot({
      phase: 'verifying',
      done: [
        'check-set',
        'disable-dumps',
        'wait-clean',
        'stop-backuppc',
        'flush',
        'remove-root-partitions',
        'freeze',
        'remove-stripe',
        'thaw',
        'start-backuppc',
        'enable-dumps',
        'stop-stripe',
        'send-report',
      ],
      verify: { ok: false, detail: 'marker missing', sampled: 0, mismatched: [], markerFound: false },
    });
    const p = plan({ cfg, rotation: r, facts: baseFacts() });
    expect(p.steps.find((s) => s.id === 'spin-down')?.status).toBe('skipped');
    expect(p.next).toEqual({ kind: 'finish', outcome: 'failed' });
  });
});

describe('plans over a system that lost its arrays', () => {
  it('never throws for any phase and step done, and aborts with the reason (no placeholder names reach an operation)', () => {
    const empty = baseFacts({ arrays: [] });
    const steps = plan({ cfg, rotation: rot(), facts: baseFacts() }).steps.map((s) => s.id);
    for (let i = 0; i <= steps.length; i++) {
      const r = rot({
        phase: 'syncing',
        done: steps.slice(0, i),
        mirrorDevice: undefined,
        rootMirrorDevice: undefined,
      });
      const p = plan({ cfg, rotation: r, facts: empty });
      for (const st of p.steps) for (const op of st.ops) expect(JSON.stringify(op)).not.toMatch(/\(mirror\)|md\?/);
      if (i > 0 && i < 7) expect(p.next).toMatchObject({ kind: 'abort', reason: expect.stringMatching(/not active/) });
    }
    const aborting = plan({ cfg, rotation: rot({ phase: 'aborting', frozen: true }), facts: empty });
    expect(aborting.next).toMatchObject({ kind: 'run', step: { id: 'abort-thaw' } });
  });
});
