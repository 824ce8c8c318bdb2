// The pure rotation planner. Given the config, the persisted rotation and the facts read from
// the system, it lists every step of the rotation with its status (done / pending / waiting /
// deferred / skipped) and says what comes next: run a step, wait, abort, or finish.
// A step counts as done when the persisted record says so or when the facts show its effect
// (so a crash between acting and persisting repeats nothing). The phase is the phase of the
// first step not done. Contract: no I/O, no clock (times come in through `now`); exhaustively
// unit-tested; `baysync plan` prints exactly this.
import type { RotationConfig as Config } from '../config/schema.js';
import { arrayByName, internalHalfProblem, isMemberOf, topMirrorProblem, mirrorClean, rootMirrorClean, setPresence, stripeTooSmall, type SetPresence } from './detect.js';
import type { Facts, Next, Phase, Plan, PlannedStep, RotationState, StepId } from './types.js';
import { mdadmUuid } from '../util/names.js';

export interface PlanInput {
  cfg: Config;
  rotation: RotationState;
  facts: Facts;
}

const phaseOfStep: Record<StepId, Phase> = {
  'check-set': 'checking',
  'assemble-stripe': 'assembling',
  'join-mirror': 'joining',
  'add-root-partitions': 'joining',
  'disable-dumps': 'pausing',
  'stop-idle-backuppc': 'syncing',
  'wait-clean': 'syncing',
  'remove-root-partitions': 'detaching',
  'stop-backuppc': 'detaching',
  flush: 'detaching',
  freeze: 'detaching',
  'remove-stripe': 'detaching',
  thaw: 'detaching',
  'start-backuppc': 'detaching',
  'enable-dumps': 'detaching',
  'stop-stripe': 'detaching',
  'verify-copy': 'verifying',
  'spin-down': 'spinning-down',
  'send-report': 'reporting',
  'abort-thaw': 'aborting',
  'abort-remove-root-partitions': 'aborting',
  'abort-remove-stripe': 'aborting',
  'abort-stop-stripe': 'aborting',
  'abort-restore-backuppc': 'aborting',
  'abort-report': 'aborting',
};

export function phaseOf(step: StepId): Phase {
  return phaseOfStep[step];
}

/** Phases before the copy is detached: losing the set here aborts the rotation. */
const attachedPhases: Phase[] = ['checking', 'assembling', 'joining', 'pausing', 'syncing'];

export function plan(input: PlanInput): Plan {
  const { rotation } = input;
  const steps = rotation.phase === 'aborting' || rotation.phase === 'aborted' ? abortSteps(input) : normalSteps(input);
  const first = steps.find((s) => s.status === 'pending' || s.status === 'waiting');
  let next: Next;
  if (rotation.phase === 'aborted' || (rotation.phase === 'aborting' && !first)) {
    next = { kind: 'finish', outcome: 'aborted' };
  } else if (!first) {
    next = { kind: 'finish', outcome: rotation.verify && !rotation.verify.ok ? 'failed' : 'success' };
  } else if (first.status === 'waiting') {
    next = { kind: 'wait', step: first, reason: first.note ?? 'waiting' };
  } else {
    next = { kind: 'run', step: first };
  }
  const problem = rotation.phase !== 'aborting' && rotation.phase !== 'aborted' ? abortCondition(input, first?.phase ?? 'reporting') : undefined;
  if (problem) next = { kind: 'abort', reason: problem };
  return { phase: first?.phase ?? (rotation.phase === 'aborting' ? 'aborted' : 'done'), steps, next };
}

/** Conditions that end a rotation early: the set vanished before the detach, or the internal half went bad. */
function abortCondition(input: PlanInput, phase: Phase): string | undefined {
  const { cfg, rotation, facts } = input;
  const set = cfg.sets.find((s) => s.name === rotation.set);
  if (!set) return `set ${rotation.set} is no longer in the configuration`;
  if (!attachedPhases.includes(phase)) return undefined;
  const p = setPresence(cfg, set, facts);
  const stripe = p.stripeArray;
  const stripeBroken = stripe && (stripe.arrayState === 'inactive' || stripe.arrayState === 'broken' || (stripe.members.length > 0 && stripe.members.length < (stripe.raidDisks ?? 0)));
  if (!p.complete && rotation.done.includes('check-set')) {
    return `a drive of set ${set.name} disappeared during ${phase} (${p.members.length} of ${Math.max(p.expected, rotation.members.length)} stripe members present)`;
  }
  if (stripeBroken) return `stripe ${stripe.name} of set ${set.name} failed during ${phase} (a drive was removed or failed)`;
  const mirror = p.mirrorArray;
  if (rotation.done.includes('check-set')) {
    const internal = internalHalfProblem(mirror, stripe?.name);
    if (internal) return `internal half not healthy: ${internal}`;
    if (!rotation.done.includes('remove-stripe')) {
      const top = topMirrorProblem(cfg, facts, mirror);
      if (top) return top;
    }
    if (p.joined && mirror?.members.find((m) => m.dev === stripe?.name)?.state.includes('faulty')) {
      return `stripe ${stripe?.name} was marked faulty in ${mirror.name}`;
    }
  }
  return undefined;
}

function step(id: StepId, title: string, status: PlannedStep['status'], extra: Partial<PlannedStep> = {}): PlannedStep {
  return { id, phase: phaseOf(id), title, status, ...extra };
}

function normalSteps(input: PlanInput): PlannedStep[] {
  const { cfg, rotation: r, facts } = input;
  const set = cfg.sets.find((s) => s.name === r.set);
  const did = (id: StepId): boolean => r.done.includes(id);
  const out: PlannedStep[] = [];
  if (!set) return out;
  const p: SetPresence = setPresence(cfg, set, facts);
  const stripeName = p.stripeArray?.name ?? r.stripeDevice;
  const mirror = p.mirrorArray ?? arrayByName(facts, r.mirrorDevice);
  const mirrorName = mirror?.name ?? r.mirrorDevice ?? '(mirror)';
  const rootMirror = cfg.root_mirror ? facts.arrays.find((a) => a.active && a.uuid === cfg.root_mirror?.uuid) : undefined;
  const rootParts = r.rootPartitions.map((x) => x.dev);
  const bpc = cfg.backuppc.enabled;
  const detached = did('remove-stripe') || (did('freeze') && !p.joined);

  // checking
  const check = did('check-set') ? undefined : checkSet(input);
  out.push(step('check-set', `check set ${set.name}: complete, large enough, internal half in sync`, !check ? 'done' : !check.ok && check.wait ? 'waiting' : 'pending', {
    note: check && !check.ok ? check.reason : undefined,
  }));

  // assembling
  const assembled = Boolean(p.stripeArray) || did('stop-stripe');
  out.push(step('assemble-stripe', `assemble stripe ${r.stripeDevice} by UUID from ${r.members.map((m) => m.dev).join(', ')}`, assembled || detached ? 'done' : 'pending', {
    commands: [['mdadm', '--assemble', `/dev/${r.stripeDevice}`, `--uuid=${mdadmUuid(set.stripe_uuid)}`, '--run', ...p.members.map((m) => `/dev/${m.dev}`)]],
  }));

  // joining
  const joinDone = p.joined || detached;
  out.push(step('join-mirror', `join ${stripeName} to ${mirrorName} (${r.expectReAdd === false ? 'first copy: full recovery' : 're-add into the write-intent bitmap'})`, joinDone ? 'done' : 'pending', {
    commands: [['mdadm', `/dev/${mirrorName}`, '--re-add', `/dev/${stripeName}`]],
  }));
  if (cfg.root_mirror && rootParts.length) {
    const allIn = rootParts.every((d) => isMemberOf(rootMirror, d));
    out.push(step('add-root-partitions', `add root partitions ${rootParts.join(', ')} to ${rootMirror?.name ?? 'the root mirror'}`, allIn || did('remove-root-partitions') || detached ? 'done' : 'pending', {
      commands: rootParts.map((d) => ['mdadm', `/dev/${rootMirror?.name ?? r.rootMirrorDevice ?? 'md?'}`, '--re-add', `/dev/${d}`]),
    }));
  }

  // pausing
  if (bpc) {
    out.push(step('disable-dumps', `pause BackupPC: ${cfg.backuppc.control_include} gets $Conf{BackupsDisable} = 2, server reload`, did('disable-dumps') ? 'done' : 'pending', {
      commands: [['runuser', '-u', cfg.backuppc.user, '--', cfg.backuppc.server_mesg, 'server', 'reload']],
    }));
  }

  // syncing
  const clean = mirrorClean(mirror, stripeName) && rootMirrorClean(rootMirror, rootParts);
  if (bpc && cfg.backuppc.stop_when_idle) {
    const st = facts.backuppc;
    let status: PlannedStep['status'];
    let note: string | undefined;
    if (did('stop-idle-backuppc') || r.backuppc?.stoppedForSync || detached || did('stop-backuppc')) status = 'done';
    else if (clean) {
      status = 'skipped';
      note = 'mirror already clean';
    } else if (!st?.serviceActive) {
      status = 'skipped';
      note = 'BackupPC not running';
    } else if (st.runningDumps > 0) {
      status = 'deferred';
      note = `${st.runningDumps} dump(s) still running; they finish first`;
    } else status = 'pending';
    out.push(step('stop-idle-backuppc', 'stop idle BackupPC to speed up the sync (seed behaviour)', status, { note, commands: [['systemctl', 'stop', cfg.backuppc.service]] }));
  }
  // The seed's check-and-finish: the detach also waits until no BackupPC dump runs any more
  // (dumps running at plug-in finish normally; new ones are disabled).
  const dumps = bpc ? (facts.backuppc?.runningDumps ?? 0) : 0;
  const waitDone = did('wait-clean') || detached || (clean && dumps === 0);
  out.push(step('wait-clean', `wait for ${mirrorName} to be clean and running dumps to finish`, waitDone ? 'done' : 'waiting', {
    note: waitDone ? undefined : !clean ? syncNote(mirror) : `${dumps} BackupPC dump(s) still running; the detach waits for them`,
    commands: [['mdadm', '--wait', `/dev/${mirrorName}`]],
  }));

  // detaching: the root partitions leave first (the root fs is live anyway, as in the seed),
  // then the pool is quiesced for the shortest possible BackupPC window: stop, flush, freeze,
  // split, thaw, restore the control include, start.
  const svcActive = facts.backuppc?.serviceActive ?? false;
  if (cfg.root_mirror && rootParts.length) {
    const anyIn = rootParts.some((d) => isMemberOf(rootMirror, d));
    out.push(step('remove-root-partitions', `fail and remove ${rootParts.join(', ')} from the root mirror`, !anyIn || did('remove-root-partitions') ? 'done' : 'pending', {
      commands: [['sync'], ...rootParts.flatMap((d) => [['mdadm', `/dev/${rootMirror?.name ?? 'md?'}`, '--fail', `/dev/${d}`], ['mdadm', `/dev/${rootMirror?.name ?? 'md?'}`, '--remove', `/dev/${d}`]])],
    }));
  }
  if (bpc) out.push(step('stop-backuppc', svcActive ? 'stop BackupPC for the detach' : 'BackupPC already stopped: start the detach window', did('stop-backuppc') || did('start-backuppc') ? 'done' : 'pending', { commands: svcActive ? [['systemctl', 'stop', cfg.backuppc.service]] : [] }));
  out.push(step('flush', 'flush filesystem buffers (sync)', did('flush') ? 'done' : 'pending', { commands: [['sync']] }));
  const freezeCmd = cfg.storage.freeze === 'fsfreeze' ? ['fsfreeze', '--freeze', cfg.storage.mountpoint] : ['mount', '-o', 'remount,ro', cfg.storage.mountpoint];
  out.push(step('freeze', `quiesce ${cfg.storage.mountpoint} (${cfg.storage.freeze})`, did('freeze') ? 'done' : 'pending', { commands: [freezeCmd] }));
  out.push(step('remove-stripe', `fail and remove ${stripeName} from ${mirrorName} (only when clean, frozen and the bitmap flushed)`, detached || (did('freeze') && !p.joined) ? 'done' : 'pending', {
    commands: [['mdadm', `/dev/${mirrorName}`, '--fail', `/dev/${stripeName}`], ['mdadm', `/dev/${mirrorName}`, '--remove', `/dev/${stripeName}`]],
  }));
  const thawCmd = cfg.storage.freeze === 'fsfreeze' ? ['fsfreeze', '--unfreeze', cfg.storage.mountpoint] : ['mount', '-o', 'remount,rw', cfg.storage.mountpoint];
  out.push(step('thaw', `thaw ${cfg.storage.mountpoint}`, did('thaw') ? 'done' : 'pending', { commands: [thawCmd] }));
  if (bpc) {
    const wasActive = r.backuppc?.serviceWasActive ?? true;
    out.push(step('enable-dumps', 'restore the BackupPC control include', did('enable-dumps') ? 'done' : 'pending'));
    out.push(step('start-backuppc', wasActive ? 'start BackupPC' : 'leave BackupPC stopped (it was stopped before the rotation)', did('start-backuppc') || !wasActive ? 'done' : 'pending', { commands: wasActive ? [['systemctl', 'start', cfg.backuppc.service]] : [] }));
  }
  out.push(step('stop-stripe', `stop stripe ${stripeName}`, did('stop-stripe') || (did('thaw') && !p.stripeArray) ? 'done' : 'pending', { commands: [['mdadm', '--stop', `/dev/${stripeName}`]] }));

  // verifying
  out.push(step('verify-copy', 'verify the copy read-only (assemble --readonly, map at the data offset, mount ro,norecovery,nouuid, marker and sample files)', r.verify ? 'done' : 'pending', {
    note: r.verify ? (r.verify.ok ? 'ok' : `FAILED: ${r.verify.detail}`) : undefined,
  }));

  // spinning down (not after a failed verification: the operator may want to inspect the drives)
  const spinStatus = r.spinDown ? 'done' : !cfg.policy.spin_down || (r.verify && !r.verify.ok) ? 'skipped' : 'pending';
  out.push(step('spin-down', `spin down ${[...new Set(r.members.map((m) => m.disk))].join(', ')} and detach them`, spinStatus, {
    note: spinStatus === 'skipped' ? (r.verify && !r.verify.ok ? 'verification failed: drives left running for inspection' : 'disabled in policy') : undefined,
    commands: [...new Set(r.members.map((m) => m.disk))].map((d) => ['hdparm', '-Y', `/dev/${d}`]),
  }));

  out.push(step('send-report', 'mail the report', did('send-report') ? 'done' : 'pending'));
  return out;
}

function syncNote(mirror: ReturnType<typeof arrayByName>): string {
  if (!mirror) return 'mirror not active';
  const c = mirror.syncCompleted;
  if (c && c.total > 0) return `${mirror.syncAction ?? 'sync'} ${((100 * c.done) / c.total).toFixed(1)}%`;
  return `${mirror.syncAction ?? 'sync'} pending`;
}

/** Pure check before anything is touched; returns the reason to refuse, if any. */
export function checkSet(input: PlanInput): { ok: true } | { ok: false; reason: string; wait?: boolean } {
  const { cfg, rotation, facts } = input;
  const set = cfg.sets.find((s) => s.name === rotation.set);
  if (!set) return { ok: false, reason: `set ${rotation.set} is not configured` };
  const p = setPresence(cfg, set, facts);
  if (!p.complete) return { ok: false, wait: true, reason: `set ${set.name} incomplete: ${p.members.length} of ${p.expected || '?'} stripe members present` };
  const mirror = p.mirrorArray;
  const problem = internalHalfProblem(mirror, p.stripeArray?.name);
  if (problem) return { ok: false, reason: `refusing to join set ${set.name}: ${problem}` };
  const top = topMirrorProblem(cfg, facts, mirror);
  if (top) return { ok: false, reason: `refusing to join set ${set.name}: ${top}` };
  if (mirror && !p.joined && (mirror.degraded ?? 0) === 0) {
    return { ok: false, reason: `mirror ${mirror.name} is not degraded: it has no free slot for set ${set.name} (another device holds it)` };
  }
  if (mirror?.componentSizeKiB && p.sizeBytes > 0 && p.sizeBytes < mirror.componentSizeKiB * 1024) {
    return { ok: false, reason: `set ${set.name} is too small: its stripe members hold ${p.sizeBytes} bytes, mirror ${mirror.name} needs at least ${mirror.componentSizeKiB * 1024}; use larger drives` };
  }
  const small = stripeTooSmall(p.stripeArray, mirror);
  if (small) return { ok: false, reason: small };
  if (facts.stripeContent && facts.stripeContent.uuid !== set.mirror_uuid) {
    return { ok: false, reason: `stripe of set ${set.name} carries the superblock of another array (${facts.stripeContent.uuid}); it is not ${set.name}'s copy and will not be written` };
  }
  if (!facts.mountpointMounted) return { ok: false, reason: `${cfg.storage.mountpoint} is not mounted; the pool must be live for a rotation` };
  return { ok: true };
}

function abortSteps(input: PlanInput): PlannedStep[] {
  const { cfg, rotation: r, facts } = input;
  const did = (id: StepId): boolean => r.done.includes(id);
  const set = cfg.sets.find((s) => s.name === r.set);
  const stripe = set ? facts.arrays.find((a) => a.active && a.uuid === set.stripe_uuid) : undefined;
  const mirror = set ? facts.arrays.find((a) => a.active && a.uuid === set.mirror_uuid) : undefined;
  const rootMirror = cfg.root_mirror ? facts.arrays.find((a) => a.active && a.uuid === cfg.root_mirror?.uuid) : undefined;
  const rootParts = r.rootPartitions.map((x) => x.dev);
  const out: PlannedStep[] = [];
  out.push(step('abort-thaw', `thaw ${cfg.storage.mountpoint}`, !r.frozen && !r.remountedRo || did('abort-thaw') ? 'done' : 'pending'));
  if (rootParts.length) {
    out.push(step('abort-remove-root-partitions', `remove ${rootParts.join(', ')} from the root mirror`, !rootParts.some((d) => isMemberOf(rootMirror, d) || rootMirror?.members.some((m) => m.dev === d)) || did('abort-remove-root-partitions') ? 'done' : 'pending'));
  }
  const stripeInMirror = Boolean(stripe && mirror?.members.some((m) => m.dev === stripe.name));
  out.push(step('abort-remove-stripe', `remove the partial copy ${stripe?.name ?? r.stripeDevice} from ${mirror?.name ?? r.mirrorDevice ?? 'the mirror'}`, !stripeInMirror || did('abort-remove-stripe') ? 'done' : 'pending'));
  out.push(step('abort-stop-stripe', `stop ${stripe?.name ?? r.stripeDevice}`, !stripe || did('abort-stop-stripe') ? 'done' : 'pending'));
  if (cfg.backuppc.enabled) {
    out.push(step('abort-restore-backuppc', 'restore BackupPC to its state before the rotation', !r.backuppc || did('abort-restore-backuppc') ? 'done' : 'pending'));
  }
  out.push(step('abort-report', 'mail the abort report', did('abort-report') ? 'done' : 'pending'));
  return out;
}
