// `baysync check` as a process: load the config, ask the daemon, print the plugin line, exit with
// its code. A usage or config error is UNKNOWN (exit 3) with the whole reason on the one line, as
// the monitoring-plugins guidelines ask. Contract: always ends the process.
import type { Config } from '../config/schema.js';
import { request } from '../daemon/control-client.js';
import type { StatusData } from '../daemon/status.js';
import { socketPath } from '../paths.js';
import { evaluateCheck } from './check.js';

/** One line from a possibly multi-line error: its lines joined with "; " (": " after a colon). */
export const oneLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ')
    .replace(/:; /g, ': ');

function unknownExit(reason: string): never {
  process.stdout.write(`BAYSYNC UNKNOWN - ${reason}\n`);
  process.exit(3);
}

export async function runCheck(config: () => Promise<Config>): Promise<never> {
  let cfg: Config;
  try {
    cfg = await config();
  } catch (e) {
    unknownExit(oneLine(e));
  }
  let status: StatusData | undefined;
  let err: string | undefined;
  try {
    status = await request<StatusData>(socketPath(cfg.paths), { cmd: 'status' }, 10_000);
  } catch (e) {
    err = oneLine(e);
  }
  const r = evaluateCheck(cfg, status, err);
  process.stdout.write(`${r.line}\n`);
  process.exit(r.code);
}
