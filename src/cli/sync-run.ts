// `baysync sync run`: one guarded sync run from the command line or baysync-sync.service.
// Contract: a stop (systemctl, or the failover's takeover) ends rsync too and releases the lock;
// a mail the run spools (the deletion guard tripped) is handed to the transport before the
// command exits, and one the transport does not take stays spooled for the daemon to retry.
import type { Config } from '../config/schema.js';
import { syncSuspension } from '../failover/state.js';
import { MailSpool } from '../mail/spool.js';
import { type RunOutcome, SyncExecutor } from '../realtime/run.js';
import { ExecRunner } from '../system/runner.js';

export async function syncRun(cfg: Config, o: { allowDeletions?: boolean }): Promise<RunOutcome> {
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
  const spool = new MailSpool(cfg.paths.state_dir, cfg.mail);
  const exec = new SyncExecutor(cfg, new ExecRunner(), () => syncSuspension(cfg.paths.state_dir), Date.now, spool);
  const out = await exec.run({ kind: 'full' }, process.env.INVOCATION_ID ? 'timer' : 'command line', {
    allowDeletions: o.allowDeletions,
    signal: stop.signal,
  });
  await spool.drain();
  spool.close();
  return out;
}
