// Repair at start from what the system shows, when the record cannot say (invariant 5 and the
// unusable state.json of issue 10). Contract: with no rotation recorded, an include that still
// carries baysync's pause marker is restored and BackupPC reloaded. When the record itself was
// unusable (`problem`), it also thaws the pool if it is frozen (a thaw of a filesystem that is
// not frozen fails with EINVAL and changes nothing) and names each set still joined to its
// mirror; then it mails the operator what was wrong and what was done. A set's root partitions
// that md took into the root mirror at boot are removed and mailed (root-at-boot.ts). Returns those lines.
import type { Logger } from 'pino';
import type { RotationConfig as Config } from '../config/schema.js';
import type { MailSpool } from '../mail/spool.js';
import { backuppcOps, disableMarker, enableLine } from '../system/backuppc.js';
import { fsOps } from '../system/fs.js';
import type { Adapters } from './adapters.js';
import { setPresence } from './detect.js';
import { gatherFacts } from './facts.js';
import { removeRootPartitionsTakenAtBoot } from './root-at-boot.js';
import type { PersistedState } from './types.js';

export async function repairAtStart(
  cfg: Config,
  a: Adapters,
  state: PersistedState,
  log: Logger,
  mail: MailSpool,
  problem: string | undefined,
): Promise<string[]> {
  const done: string[] = [];
  if (state.rotation) {
    if (problem) done.push(`resuming the rotation of set ${state.rotation.set} from phase ${state.rotation.phase}`);
  } else {
    const bpc = await restoreBackupPcInclude(cfg, a, log);
    if (bpc) done.push(bpc);
    if (problem) done.push(...(await thawAndFindJoined(cfg, a, log)));
  }
  const roots = await removeRootPartitionsTakenAtBoot(cfg, a, state.rotation, log);
  done.push(...roots);
  if (roots.length && !problem)
    mail.enqueue({
      subject: "[baysync] the root mirror took a set's root partition at boot",
      text: `${roots.map((r) => `- ${r}`).join('\n')}\n\nThese partitions carry the root mirror's own UUID so that the set boots alone; a boot with the set plugged in lets md's incremental assembly take them. Unplug external sets before a reboot where you can.\n`,
    });
  if (problem) {
    mail.enqueue({
      subject: '[baysync] the rotation record was unusable; repaired from the system',
      text: `${problem}.\n\n${done.length ? done.map((d) => `- ${d}`).join('\n') : '- nothing else needed repair'}\n\nbaysync status shows what runs now.\n`,
    });
  }
  return done;
}

async function thawAndFindJoined(cfg: Config, a: Adapters, log: Logger): Promise<string[]> {
  const out: string[] = [];
  const mp = cfg.storage.mountpoint;
  const t = await a.ops.exec(fsOps.thaw(mp));
  if (t.exitCode === 0) {
    out.push(`thawed ${mp}, which was left frozen`);
    log.warn({ mountpoint: mp }, `thawed ${mp}, left frozen by an interrupted rotation with no record`);
  }
  const facts = await gatherFacts(cfg, a);
  for (const set of cfg.sets) {
    const p = setPresence(cfg, set, facts);
    if (!p.joined) continue;
    const next = cfg.policy.auto_start
      ? 'a new rotation takes it from there (it waits for the mirror to be clean, then detaches the copy)'
      : `run \`baysync rotate start --set ${set.name}\` to finish it`;
    out.push(`set ${set.name} is still joined to its mirror with no record of its rotation: ${next}`);
    log.warn({ set: set.name }, `set ${set.name} is still joined to its mirror with no record of its rotation`);
  }
  return out;
}

/** Invariant 5: an include still carrying baysync's pause marker with no rotation recorded is restored. */
async function restoreBackupPcInclude(cfg: Config, a: Adapters, log: Logger): Promise<string | undefined> {
  if (!cfg.backuppc.enabled) return;
  let content: string | undefined;
  try {
    content = a.backuppc.readControl();
  } catch (e) {
    log.error({ err: String(e) }, `cannot check the BackupPC include: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (!content?.includes(disableMarker)) return;
  log.warn(
    { file: cfg.backuppc.control_include },
    'BackupPC was left paused by an interrupted rotation with no record; re-enabling dumps',
  );
  await a.ops.exec(backuppcOps.writeControl(cfg.backuppc, enableLine));
  void a.backuppc.serviceActive().then(async (active) => {
    if (!active) return;
    const r = await a.ops.exec(backuppcOps.reload(cfg.backuppc));
    if (r.exitCode !== 0) log.error({ err: r.stderr.trim() }, 'BackupPC reload failed');
  });
  return `re-enabled BackupPC dumps in ${cfg.backuppc.control_include}, left paused with no record`;
}
