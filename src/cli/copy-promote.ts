// `baysync copy promote` on the secondary: reads the facts (a ping of copy_receive.primary, the
// digest's verified mark, mountinfo, the configuration copy), plans (copy/promote.ts) and runs
// exactly the planned operations. Contract: a refusal changes nothing; --plan prints and changes
// nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { readDigestFile } from '../copy/digest-file.js';
import { type PromoteFacts, type PromotePlan, planPromote } from '../copy/promote.js';
import { copyDigestPath } from '../paths.js';
import { deviceNumber } from '../system/block.js';
import { renderOp } from '../system/op.js';
import { OpRunner } from '../system/op-runner.js';
import { parseMountinfo } from '../system/parsers/mountinfo.js';
import { ExecRunner } from '../system/runner.js';

function digestMark(path: string, target: string): Pick<PromoteFacts, 'verifiedAt' | 'digestProblem'> {
  const r = readDigestFile(path, target);
  if (!r.digest) return { digestProblem: r.problem ?? 'no digest' };
  return r.digest.state.completeAt ? { verifiedAt: r.digest.state.completeAt } : {};
}

export async function copyPromote(
  cfg: Config,
  o: { force?: boolean; plan?: boolean },
): Promise<{ plan: PromotePlan; ran: string[] }> {
  const c = cfg.copy_receive;
  if (!c) throw new Error('copy promote runs on the secondary: this host has no [copy_receive] section');
  const runner = new ExecRunner();
  const ping = c.primary
    ? await runner.run(['ping', '-n', '-q', '-c', '3', '-W', '1', '--', c.primary], {
        allowFailure: true,
        timeoutMs: 10_000,
      })
    : undefined;
  const dev = deviceNumber(c.target);
  const mounts = parseMountinfo(readFileSync(join(cfg.paths.proc, 'self', 'mountinfo'), 'utf8'));
  const digestPath = copyDigestPath(cfg.paths);
  const facts: PromoteFacts = {
    ...(ping ? { primaryAnswers: ping.exitCode === 0 } : {}),
    ...digestMark(digestPath, c.target),
    targetMounted: dev !== undefined && mounts.some((m) => m.dev === dev),
    configBackupPresent: existsSync(c.config_backup) && readdirSync(c.config_backup).length > 0,
    now: new Date().toISOString(),
  };
  const plan = planPromote(c, facts, digestPath, o);
  if (o.plan || 'refused' in plan) return { plan, ran: [] };
  const ops = new OpRunner(runner);
  const exec = ops.forStep(plan.ops);
  const ran: string[] = [];
  for (const op of plan.ops) {
    await exec(op);
    ran.push(renderOp(op));
  }
  return { plan, ran };
}

export function renderPromote(r: { plan: PromotePlan; ran: string[] }, planOnly: boolean): string {
  if ('refused' in r.plan) return `refused: ${r.plan.refused}`;
  const head = planOnly ? r.plan.ops.map((op) => `$ ${renderOp(op)}`) : r.ran.map((l) => `done: ${l}`);
  return [...head, ...r.plan.notes.map((n) => `note: ${n}`)].join('\n');
}
