// `npm run test:e2e`: the lab scenarios on a real kernel. Each scenario boots the provisioned
// topology from fresh overlays, installs baysync from the .deb, acts through QMP (hot-plug,
// surprise removal, reset) and checks outcomes in the guest (arrays, mailbox, BackupPC, data),
// never log lines. Ends with the figures and a line "N passed, N failed"; results are also
// written to build/e2e-results.json for .ci/run. `E2E_ONLY=name,name` runs a subset.
// Time limits, so that a hung guest can never hold CI: a scenario that runs longer than
// E2E_SCENARIO_LIMIT_MIN (default 20) has its VM killed and fails; once E2E_BUDGET_MIN (default
// 180, the whole suite; CI's fast lane sets 50; counted from the start, image and topology builds included) is spent, the scenarios not yet
// started are reported as failed ("not run"), never skipped silently.
// A failure of the lab itself (the image could not be built from Debian's mirrors, or the guest
// hung at boot twice) is reported as SKIP with the word INFRASTRUCTURE and does not fail the run;
// every other failure is baysync's and fails it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labCacheDir, log } from './common.js';
import { figureLines, figures } from './e2e/figures.js';
import { run as sAdapterContract } from './e2e/scenarios/adapter-contract.js';
import { run as sBootWithSetPlugged } from './e2e/scenarios/boot-with-set-plugged.js';
import { run as sBothSetsAtOnce } from './e2e/scenarios/both-sets-at-once.js';
import { run as sCopyLvm } from './e2e/scenarios/copy-lvm.js';
import { run as sDumpRunningAtPlugIn } from './e2e/scenarios/dump-running-at-plug-in.js';
import { run as sFailoverUnderSystemd } from './e2e/scenarios/failover-under-systemd.js';
import { run as sForeignDisksUntouched } from './e2e/scenarios/foreign-disks-untouched.js';
import { run as sFullRotationABA } from './e2e/scenarios/full-rotation-A-B-A.js';
import { run as sHardResetMidSync } from './e2e/scenarios/hard-reset-mid-sync.js';
import { run as sMtaDown } from './e2e/scenarios/mta-down.js';
import { run as sPackageLifecycle } from './e2e/scenarios/package-lifecycle.js';
import { run as sRecoveryOnAnotherPc } from './e2e/scenarios/recovery-on-another-pc.js';
import { run as sSigkillEachPhase } from './e2e/scenarios/sigkill-each-phase.js';
import { run as sStatusWhileVerifying } from './e2e/scenarios/status-while-verifying.js';
import { run as sSurpriseRemoval } from './e2e/scenarios/surprise-removal.js';
import { run as sTopMirrorReadd } from './e2e/scenarios/top-mirror-readd.js';
import { run as sVerifyProvesCopy } from './e2e/scenarios/verify-proves-copy.js';
import { installBaysync } from './guest-install.js';
import { ensureImage } from './image.js';
import { ensurePrerequisites, LabSession } from './session.js';
import { ensureTopology } from './topology.js';
import { GuestHangError } from './vm.js';

/** A failure of the lab, not of baysync: reported, never counted as a product failure. */
class InfraError extends Error {}

const scenarios: Record<string, (s: LabSession) => Promise<void>> = {
  'full-rotation-A-B-A': sFullRotationABA,
  'sigkill-each-phase': sSigkillEachPhase,
  'hard-reset-mid-sync': sHardResetMidSync,
  'dump-running-at-plug-in': sDumpRunningAtPlugIn,
  'surprise-removal': sSurpriseRemoval,
  'foreign-disks-untouched': sForeignDisksUntouched,
  'mta-down': sMtaDown,
  'both-sets-at-once': sBothSetsAtOnce,
  'status-while-verifying': sStatusWhileVerifying,
  'adapter-contract': sAdapterContract,
  'failover-under-systemd': sFailoverUnderSystemd,
  'verify-proves-copy': sVerifyProvesCopy,
  'boot-with-set-plugged': sBootWithSetPlugged,
  'top-mirror-readd': sTopMirrorReadd,
  'recovery-on-another-pc': sRecoveryOnAnotherPc,
  'package-lifecycle': sPackageLifecycle,
  'copy-lvm': sCopyLvm,
};

/** Run fn; past limitMs, call onLimit (which must make fn fail soon) and reject at once. */
async function withinLimit(fn: () => Promise<void>, limitMs: number, onLimit: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void onLimit().finally(() =>
        reject(new Error(`scenario time limit (${limitMs / 60_000} min) reached; the VM was killed`)),
      );
    }, limitMs);
  });
  const run = fn();
  run.catch(() => undefined); // once the limit has fired, the orphaned run's failure is expected
  try {
    await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const only = process.env.E2E_ONLY?.split(',').filter(Boolean);
const scenarioLimitMs = Number(process.env.E2E_SCENARIO_LIMIT_MIN ?? 20) * 60_000;
const budgetMs = Number(process.env.E2E_BUDGET_MIN ?? 180) * 60_000;
/** infra: the lab itself failed (a package mirror, a guest that hung at boot twice), not baysync. */
const results: Array<{ name: string; ok: boolean; infra?: boolean; error?: string; seconds: number }> = [];
const started = Date.now();
const selected = Object.entries(scenarios).filter(([name]) => !only || only.includes(name));
// Image and topology are built (or found in the cache) once, outside the scenario limit. They
// come from Debian's mirrors: a failure here is the lab's, and every scenario says so.
const labReady = await (async () => {
  await ensurePrerequisites();
  await ensureTopology(await ensureImage(), labCacheDir());
})().then(
  () => undefined,
  (e: unknown) =>
    `INFRASTRUCTURE: the lab image or topology could not be built (${e instanceof Error ? e.message : String(e)})`,
);
for (const [name, run] of selected) {
  if (labReady) {
    results.push({ name, ok: false, infra: true, error: labReady, seconds: 0 });
    log(`SKIP ${name}: ${labReady}`);
    continue;
  }
  if (Date.now() - started > budgetMs) {
    const error = `not run: the e2e time budget (${budgetMs / 60_000} min) was spent`;
    results.push({ name, ok: false, error, seconds: 0 });
    log(`FAIL ${name}: ${error}`);
    continue;
  }
  const t0 = Date.now();
  const s = new LabSession(`e2e-${name}`);
  try {
    await withinLimit(
      async () => {
        await s.start().catch((e: unknown) => {
          // The session already retried a hung boot once; a second hang is the emulator's.
          if (e instanceof GuestHangError) throw new InfraError(`the guest hung at boot twice (${e.message})`);
          throw e;
        });
        await installBaysync(s);
        await run(s);
      },
      scenarioLimitMs,
      async () => {
        await s.vm?.kill();
      },
    );
    results.push({ name, ok: true, seconds: (Date.now() - t0) / 1000 });
    log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const infra = e instanceof InfraError;
    results.push({
      name,
      ok: false,
      infra,
      error: infra ? `INFRASTRUCTURE: ${msg}` : msg,
      seconds: (Date.now() - t0) / 1000,
    });
    log(`${infra ? 'SKIP' : 'FAIL'} ${name}: ${msg}`);
    try {
      log(
        (
          await s.vm.exec(['journalctl', '-u', 'baysync', '--no-pager', '-o', 'cat', '-n', '40'], {
            allowFailure: true,
          })
        ).stdout,
      );
    } catch {
      // the guest may be gone
    }
  } finally {
    await s.close(process.env.LAB_KEEP === '1');
  }
}

const out = figureLines();
out.push(
  '',
  ...results.map(
    (r) =>
      `  ${r.ok ? 'PASS' : r.infra ? 'SKIP' : 'FAIL'} ${r.name} (${r.seconds.toFixed(0)} s)${r.error ? `: ${r.error}` : ''}`,
  ),
);
const passed = results.filter((r) => r.ok).length;
const skipped = results.filter((r) => r.infra).length;
const failed = results.length - passed - skipped;
out.push(`  total ${((Date.now() - started) / 60000).toFixed(1)} min`);
process.stdout.write(`${out.join('\n')}\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
mkdirSync(join(process.cwd(), 'build'), { recursive: true });
writeFileSync(
  join(process.cwd(), 'build', 'e2e-results.json'),
  JSON.stringify({ passed, failed, skipped, results, figures }, null, 2),
);
process.exit(failed ? 1 : 0);
