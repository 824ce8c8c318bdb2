// The `baysync copy` subcommands, registered on the program; their work is imported only when
// one runs (copy.ts), so that other commands start small. Contract: exit 1 when the copy was
// refused or did not end verified.
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';

export function registerCopy(program: Command, config: () => Promise<Config>, print: (s: string) => void): void {
  const copy = program.command('copy').description('the snapshot copy of a volume to a secondary server');
  copy
    .command('send')
    .description('send the configured volume (unmounted: a snapshot) to the secondary; only changed chunks travel')
    .option('--json', 'print the outcome')
    .action(async (o: { json?: boolean }) => {
      const { copySend, renderSend } = await import('./copy.js');
      const out = await copySend(await config());
      print(o.json ? JSON.stringify(out, null, 2) : renderSend(out));
      if ('refused' in out || !out.result.ok || out.result.fsck?.ok === false) process.exitCode = 1;
    });
  copy
    .command('run')
    .description(
      'one snapshot copy of copy.volume: the BackupPC configuration, a snapshot, the changed chunks, verified',
    )
    .option('--plan', 'print the steps and the exact commands of a run, and change nothing')
    .option('--clear-guard', 'the snapshot-fill guard tripped and the cause is dealt with: run again')
    .option('--json', 'print the outcome')
    .action(async (o: { plan?: boolean; clearGuard?: boolean; json?: boolean }) => {
      const { copyRun, renderRun } = await import('./copy.js');
      const say = (line: string): void => void process.stderr.write(`baysync copy run: ${line}\n`);
      const out = await copyRun(await config(), o, say);
      print(o.json ? JSON.stringify(out, null, 2) : renderRun(out));
      if ('plan' in out ? 'refused' in out.plan : !out.ok) process.exitCode = 1;
    });
  copy
    .command('promote')
    .description('on the secondary: take over with the last verified copy (config in place, volume mounted)')
    .option('--plan', 'print what would be done, and change nothing')
    .option('--force', 'promote although the primary still answers (it is being retired)')
    .action(async (o: { plan?: boolean; force?: boolean }) => {
      const { copyPromote, renderPromote } = await import('./copy-promote.js');
      const r = await copyPromote(await config(), o);
      print(renderPromote(r, Boolean(o.plan)));
      if ('refused' in r.plan) process.exitCode = 1;
    });
  copy
    .command('receive')
    .description("the secondary's forced command: receive one copy into its own [copy_receive] target")
    .option('--tcp', 'the connection is from baysync-copy-receive.socket: check the peer and the shared key')
    .action(async (o: { tcp?: boolean }) => {
      const { copyReceive } = await import('./copy.js');
      const say = (line: string): void => void process.stderr.write(`baysync copy receive: ${line}\n`);
      const out = await copyReceive(await config(), say, o);
      if ('refused' in out || !out.ok || out.fsck?.ok === false) {
        say(
          'refused' in out
            ? `refused: ${out.refused}`
            : out.ok
              ? `the target's filesystem: ${out.fsck!.detail}`
              : out.reason,
        );
        process.exitCode = 1;
      }
    });
}
