#!/usr/bin/env node
// The `baysync` command: thin subcommands over the daemon (through the control socket), the
// config validator, the doctor, the installer and the monitoring check. Contract: exit 0 on
// success, 1 on an error the operator must act on (the message says what to do), 2 for a bad
// invocation; `--json` prints the same data the human view renders.
// Heavy modules are imported inside the actions that need them: `baysync notify` (mdadm's event
// hook) and `baysync check` (the monitoring plugin) must start fast and small.
import { Command, CommanderError, Option } from 'commander';
import type { Config } from '../config/schema.js';
import { DaemonUnreachable, request } from '../daemon/control-client.js';
import type { RestartAnswer } from '../daemon/restart-when-idle.js';
import type { StatusData } from '../daemon/status.js';
import { defaultConfigPath, defaultSocketPath, socketPath } from '../paths.js';
import type { Plan, RotationState } from '../rotation/types.js';
import { version } from '../version.js';
import { registerCopy } from './copy-commands.js';
import { statusJson } from './status-json.js';

const program = new Command();
program
  .name('baysync')
  .description('Hotplug-driven offline-copy rotation for md-mirrored backup servers (BackupPC).')
  .version(version)
  .option('-c, --config <file>', 'configuration file', process.env.BAYSYNC_CONFIG ?? defaultConfigPath)
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (_cmd, action) => {
    if (action.name() !== 'daemon') process.env.BAYSYNC_LOG_TO ??= 'stderr';
  });

const configPath = (): string => program.opts<{ config: string }>().config;
async function config(): Promise<Config> {
  const { loadConfig } = await import('../config/load.js');
  return loadConfig(configPath());
}
const socketOf = (cfg: Config): string => socketPath(cfg.paths);
const print = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const json = (d: unknown): void => print(JSON.stringify(d, null, 2));

program
  .command('daemon')
  .description('run the daemon (started by baysync.service)')
  .action(async () => {
    const { runDaemon } = await import('../daemon/daemon.js');
    await runDaemon(configPath());
  });

/** A read-only command: ask the daemon, print its answer raw with --json, or rendered. */
function show<T>(
  parent: Command,
  name: string,
  description: string,
  req: { cmd: string } & Record<string, unknown>,
  render: (r: typeof import('./render.js'), data: T) => string,
  raw: (data: T) => unknown = (d) => d,
): void {
  parent
    .command(name)
    .description(description)
    .option('--json', 'print the raw data')
    .action(async (o: { json?: boolean }) => {
      const data = await request<T>(socketOf(await config()), req);
      if (o.json) json(raw(data));
      else print(render(await import('./render.js'), data));
    });
}

show<StatusData>(
  program,
  'status',
  'phase, progress bar and ETA, last rotation per set, age of the oldest copy',
  { cmd: 'status' },
  (r, s) => r.renderStatus(s),
  statusJson,
);
show<{ rotation: RotationState | null; plan: Plan | null; status: string }>(
  program,
  'plan',
  'what the daemon would do now, with the exact commands (a dry run from the real system state)',
  { cmd: 'plan' },
  (r, p) => r.renderPlan(p),
);

const rotate = program.command('rotate').description('manual control of a rotation: start, finish or abort it');
for (const action of ['start', 'finish', 'abort'] as const) {
  const help = {
    start: 'start a rotation now (of --set, or of the plugged-in set), even if auto_start is off',
    finish: 're-check now and detach the copy if the mirror is clean',
    abort: 'abort the running rotation: remove the partial copy, restore BackupPC, mail the report',
  }[action];
  rotate
    .command(action)
    .description(help)
    .option('--set <name>', 'set name')
    .option('--json', 'print the raw reply')
    .action(async (o: { set?: string; json?: boolean }) => {
      const cfg = await config();
      const r = await request(
        socketOf(cfg),
        { cmd: 'rotate', action, set: o.set },
        action === 'abort' ? 300_000 : 60_000,
      );
      if (o.json) json(r);
      else
        print(
          action === 'start'
            ? `rotation of set ${(r as { started: string }).started} started; follow it with \`baysync status\``
            : action === 'abort'
              ? 'aborting; BackupPC will be restored and a report mailed'
              : 'checked',
        );
    });
}

program
  .command('verify')
  .description('verify a plugged-in, detached set read-only (assemble --readonly, mount ro,norecovery,nouuid)')
  .requiredOption('--set <name>', 'set name')
  .option('--json', 'print the raw result')
  .action(async (o: { set: string; json?: boolean }) => {
    const cfg = await config();
    process.exitCode = await (await import('./verify.js')).verifyCommand(socketOf(cfg), o.set, Boolean(o.json));
  });

program
  .command('config')
  .description('configuration tools')
  .command('check')
  .description('validate the configuration file (also run by ExecStartPre)')
  .option('--quiet', 'print nothing when valid')
  .action(async (o: { quiet?: boolean }) => {
    const cfg = await config();
    const parts = [
      cfg.sets.length ? `${cfg.sets.length} set(s): ${cfg.sets.map((s) => s.name).join(', ')}` : '',
      cfg.realtime ? `real-time sync (${cfg.realtime.mode})` : '',
      cfg.failover ? 'failover monitor' : '',
    ].filter(Boolean);
    if (!o.quiet) print(`${configPath()}: valid (${parts.join('; ')})`);
  });

program
  .command('doctor')
  .description('check mdadm.conf (and its initramfs copy), units, arrays, BackupPC and mail against the safety rules')
  .option('--json', 'print the findings as JSON')
  .action(async (o: { json?: boolean }) => {
    const cfg = await config();
    const { doctor } = await import('./doctor.js');
    const { ExecRunner } = await import('../system/runner.js');
    const findings = await doctor({ cfg, runner: new ExecRunner(), configPath: configPath() });
    if (o.json) json(findings);
    else
      for (const f of findings)
        print(
          `${f.level.toUpperCase().padEnd(4)} ${f.check}: ${f.detail}${f.fix ? `\n     fix: ${f.fix.replace(/\n/g, '\n          ')}` : ''}`,
        );
    if (findings.some((f) => f.level === 'fail')) process.exitCode = 1;
  });

program
  .command('install')
  .description(
    'write the site-specific files (the udev rule for the sets, the sync timer interval), reload systemd and udev',
  )
  .option('--root <dir>', 'install below this directory (tests, image builds); skips the reloads', '/')
  .action(async (o: { root: string }) => {
    const { installCommand } = await import('./install-run.js');
    print(await installCommand(o.root, config, configPath()));
  });

program
  .command('restart')
  .description('restart the daemon into the installed version without cutting a job short (package upgrades)')
  .requiredOption('--when-idle', 'now if no job runs, otherwise when the running job ends')
  .action(async () => {
    const r = await request<RestartAnswer>(socketOf(await config()), { cmd: 'restart-when-idle' }, 10_000);
    print(
      r.now
        ? 'baysync: the daemon restarts into the installed version now'
        : `baysync: a job is running (${r.busy}): the daemon restarts into the installed version when it ends`,
    );
  });

program
  .command('notify')
  .description('tell the daemon about a hotplug or md event (used by mdadm --monitor, and by hand)')
  .addOption(new Option('--action <action>', 'hotplug action').choices(['add', 'remove', 'change']))
  .option('--kernel <name>', 'kernel device name, e.g. sdc2')
  .option('--md-event <event>', 'mdadm --monitor PROGRAM form: EVENT DEVICE [COMPONENT] as arguments')
  .argument('[args...]', 'device and component for --md-event')
  .action(async (args: string[], o: { action?: 'add' | 'remove' | 'change'; kernel?: string; mdEvent?: string }) => {
    // The config is read only when given explicitly: the default socket path needs no parsing.
    const sock = program.getOptionValueSource('config') === 'default' ? defaultSocketPath : socketOf(await config());
    try {
      if (o.mdEvent) {
        await request(sock, { cmd: 'md-event', event: o.mdEvent, device: args[0] ?? '', component: args[1] }, 10_000);
      } else {
        if (!o.action || !o.kernel) throw new Error('notify needs --action and --kernel (or --md-event)');
        await request(sock, { cmd: 'notify', action: o.action, kernel: o.kernel }, 10_000);
      }
    } catch (e) {
      // The daemon's start-up scan finds the device anyway: a notice that cannot be delivered is not an error.
      if (e instanceof DaemonUnreachable)
        process.stderr.write(`baysync notify: daemon not reachable; its start-up scan will see the device\n`);
      else throw e;
    }
  });

const sync = program.command('sync').description('the real-time sync to the standby server');
sync
  .command('run')
  .description('one guarded sync run now (what baysync-sync.service runs); never overlaps a running one')
  .option('--allow-deletions', 'lift the deletion share for this run (after checking the source)')
  .option('--json', 'print the run record')
  .action(async (o: { allowDeletions?: boolean; json?: boolean }) => {
    const { syncRun } = await import('./sync-run.js');
    const out = await syncRun(await config(), o);
    if (o.json) json(out);
    else print((await import('./render.js')).renderSyncOutcome(out));
    if (out.status === 'refused' || (out.status === 'done' && !out.run.ok)) process.exitCode = 1;
  });

program
  .command('receive <dir>')
  .description('forced command of the push key on the standby: rrsync DIR, refused after a takeover')
  .option('--state-dir <dir>', 'where failover.json is', '/var/lib/baysync')
  .option('--rrsync <path>', 'the rrsync to run', '/usr/bin/rrsync')
  .action(async (dir: string, o: { stateDir: string; rrsync: string }) => {
    process.exitCode = await (await import('./receive.js')).receive(dir, o);
  });

registerCopy(program, config, print);

const failover = program.command('failover').description('the failover monitor on the standby server');
show<NonNullable<StatusData['failover']>>(
  failover,
  'status',
  'both probe paths, the current phase and the last transitions',
  { cmd: 'failover', action: 'status' },
  (r, s) => r.renderFailover(s).join('\n'),
);
failover
  .command('failback')
  .description('hand the service back to the mended main server, step by step')
  .option('--delete', 'also delete files on A that are not on this host (default: keep them)')
  .option('--a-lan-is-down', "confirm A's LAN interface is down (needed when no fence key is configured)")
  .option('--wait <seconds>', "how long to wait for A's LAN interface to come back up", '600')
  .action(async (o: { delete?: boolean; aLanIsDown?: boolean; wait: string }) => {
    const cfg = await config();
    const { failback, FailbackRefused } = await import('../failover/failback.js');
    const { ExecRunner } = await import('../system/runner.js');
    try {
      await failback({
        cfg,
        runner: new ExecRunner(),
        daemon: (action) => request(socketOf(cfg), { cmd: 'failover', action }, 30_000),
        print,
        delete: o.delete,
        aLanIsDown: o.aLanIsDown,
        waitSeconds: Number(o.wait),
      });
    } catch (e) {
      if (!(e instanceof FailbackRefused)) throw e;
      process.stderr.write(`baysync: failback refused: ${e.message}\n`);
      process.exitCode = 1;
    }
  });

program
  .command('check')
  .description('monitoring plugin (Nagios convention: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)')
  // A usage error of the plugin is UNKNOWN (3), not the 2 of the other commands (CRITICAL here).
  .exitOverride((e) => {
    if (e.exitCode === 0) process.exit(0);
    print(`BAYSYNC UNKNOWN - usage: ${e.message.replace(/^error: /, '')}`);
    process.exit(3);
  })
  .action(async () => {
    const { runCheck } = await import('./check-run.js');
    await runCheck(config);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  // A bad invocation: commander has printed the message (and the help); exit 2 as documented.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`baysync: ${msg}\n`);
  process.exit(1);
});
