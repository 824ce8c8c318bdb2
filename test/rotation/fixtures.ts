// Fixtures of the pure rotation tests: the lab config (sets A and B, the root mirror), md arrays,
// candidates, facts with set A plugged in and a rotation record of set A.

import pino from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import type { RotationConfig } from '../../src/config/schema.js';
import { derive, type PlanCtx, type RunCtx } from '../../src/rotation/steps/context.js';
import type { Facts, RotationState } from '../../src/rotation/types.js';
import type { MdArrayState } from '../../src/system/md.js';
import { type Op, renderOp } from '../../src/system/op.js';
import type { Exec } from '../../src/system/op-runner.js';
import type { RunResult } from '../../src/system/runner.js';

export const U = (n: number): string => `0000000${n}:00000000:00000000:0000000${n}`;
export const H = (n: number): string => `0000000${n}${'0'.repeat(23)}${n}`;

export const cfg = parseConfigText(
  't.toml',
  `
[storage]
top_mirror_uuid = "${U(7)}"
mountpoint = "/var/lib/backuppc"
[root_mirror]
uuid = "${U(1)}"
[[sets]]
name = "A"
stripe_uuid = "${U(8)}"
mirror_uuid = "${U(5)}"
stripe_device = "md8"
[[sets]]
name = "B"
stripe_uuid = "${U(9)}"
mirror_uuid = "${U(6)}"
stripe_device = "md9"
`,
) as RotationConfig;

export function arr(
  name: string,
  uuid: string,
  members: Array<[string, string[]]>,
  extra: Partial<MdArrayState> = {},
): MdArrayState {
  return {
    name,
    uuid,
    active: true,
    readonly: false,
    level: 'raid1',
    raidDisks: 2,
    degraded: 2 - members.filter(([, s]) => s.includes('in_sync')).length,
    syncAction: 'idle',
    componentSizeKiB: 1000,
    sizeBytes: 1000 * 1024,
    arrayState: 'clean',
    members: members.map(([dev, state], i) => ({ dev, slot: i, state })),
    ...extra,
  };
}

export function cand(dev: string, disk: string, uuid: string, raidDevices = 2) {
  return { dev, disk, sizeBytes: 600 * 1024, examine: { level: 'raid0', raidDevices, uuid, raw: {} } };
}

export function baseFacts(over: Partial<Facts> = {}): Facts {
  return {
    arrays: [
      arr('md5', H(5), [['md3', ['in_sync']]]),
      arr('md6', H(6), [['md4', ['in_sync']]]),
      arr('md1', H(1), [['sda1', ['in_sync']]], { raidDisks: 6 }),
      arr('md7', H(7), [
        ['md5', ['in_sync']],
        ['md6', ['in_sync']],
      ]),
    ],
    candidates: [
      cand('sde2', 'sde', H(8)),
      cand('sdf2', 'sdf', H(8)),
      cand('sde1', 'sde', H(1), 6),
      cand('sdf1', 'sdf', H(1), 6),
    ],
    blankPartitions: [],
    backuppc: { serviceActive: true, runningDumps: 0 },
    mountpointMounted: true,
    ...over,
  };
}

export function rot(over: Partial<RotationState> = {}): RotationState {
  return {
    id: 'r1',
    set: 'A',
    phase: 'checking',
    startedAt: '2026-11-22T00:00:00.000Z',
    timeline: [{ phase: 'checking', at: '2026-11-22T00:00:00.000Z' }],
    members: [
      { dev: 'sde2', disk: 'sde' },
      { dev: 'sdf2', disk: 'sdf' },
    ],
    rootPartitions: [
      { dev: 'sde1', disk: 'sde' },
      { dev: 'sdf1', disk: 'sdf' },
    ],
    stripeDevice: 'md8',
    mirrorDevice: 'md5',
    done: [],
    warnings: [],
    ...over,
  };
}

export const withStripe = (
  f: Facts,
  mirrorMembers?: Array<[string, string[]]>,
  extra: Partial<MdArrayState> = {},
): Facts => ({
  ...f,
  arrays: [
    ...f.arrays.filter((a) => a.name !== 'md5'),
    arr(
      'md8',
      H(8),
      [
        ['sde2', ['in_sync']],
        ['sdf2', ['in_sync']],
      ],
      { level: 'raid0', degraded: 0, sizeBytes: 1200 * 1024 },
    ),
    arr('md5', H(5), mirrorMembers ?? [['md3', ['in_sync']]], extra),
  ],
});

/** The pure context a step plans from: set A's rotation over the given facts. */
export function planCtx(r: Partial<RotationState> = {}, facts: Facts = baseFacts()): PlanCtx {
  return derive(cfg, rot(r), facts);
}

export interface Recorded {
  ctx: RunCtx;
  exec: Exec;
  /** What happened, in order: `op: <rendered op>`, `persist: <record JSON>`, `mail: <subject>`. */
  events: string[];
}

/** A run context whose exec records each op (and answers with `answer`), persist and mail record too. */
export function recorded(c: PlanCtx, answer: (op: Op) => Partial<RunResult> = () => ({})): Recorded {
  const events: string[] = [];
  const silent = pino({ level: 'silent' });
  const ctx = {
    ...c,
    a: {
      backuppc: { readControl: () => '$Conf{BackupsDisable} = 0; # site\n' },
      md: {
        bitmapDirtyBytes: async () => 0,
        sysfsState: async () => ({ arrayState: 'clean', members: [] }),
        noteAssembled: () => undefined,
        forgetAssembled: () => undefined,
      },
    },
    mail: { enqueue: (m: { subject: string }) => events.push(`mail: ${m.subject}`) },
    log: silent,
    persist: () => events.push(`persist: ${JSON.stringify(c.r)}`),
    nowMs: () => Date.parse('2026-11-22T01:00:00.000Z'),
    iso: () => '2026-11-22T01:00:00.000Z',
    beat: () => undefined,
  } as unknown as RunCtx;
  const exec: Exec = async (op) => {
    events.push(`op: ${renderOp(op)}`);
    return {
      argv: op.kind === 'run' ? op.argv : [op.kind],
      exitCode: 0,
      stdout: '',
      stderr: '',
      durationMs: 0,
      ...answer(op),
    };
  };
  return { ctx, exec, events };
}
