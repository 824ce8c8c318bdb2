// `baysync install`: writes the systemd units and the udev rule (with the binary path and the
// configured stripe UUIDs filled in), then reloads systemd and udev. Contract: argv only;
// --root writes under another tree (for packaging and tests) and skips the reloads; never
// touches mdadm.conf (it prints the lines to add instead: the admin owns that file).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import type { CommandRunner } from '../system/runner.js';
import { mdadmUuid } from '../util/names.js';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'systemd'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the baysync package files (systemd/, udev/)');
}

export function udevRule(cfg: Config | undefined, template: string): string {
  const stripes = (cfg?.sets ?? []).map(
    (s) =>
      `KERNEL=="md*", ENV{MD_UUID}=="${mdadmUuid(s.stripe_uuid)}", ENV{ID_FS_TYPE}="baysync_external_stripe", ENV{BAYSYNC_SET}="${s.name}"`,
  );
  return template.replace('@STRIPE_RULES@', stripes.length ? stripes.join('\n') : '# (no sets configured yet)');
}

/** The wrapper mdadm --monitor runs on an md event (shipped by the package). */
export const mdadmEventHook = '/usr/lib/baysync/mdadm-event';

export function mdadmConfLines(cfg: Config): string[] {
  return [
    ...cfg.sets.map(
      (s) => `ARRAY <ignore> UUID=${mdadmUuid(s.stripe_uuid)}   # baysync set ${s.name}: never auto-assembled`,
    ),
    ...(cfg.sets.length ? [`PROGRAM ${mdadmEventHook}   # md events (a member failing) reach baysync at once`] : []),
  ];
}

export interface InstallResult {
  written: string[];
  mdadmConf: string[];
}

export async function install(opts: {
  cfg: Config | undefined;
  root: string;
  bin: string;
  node?: string;
  runner: CommandRunner;
  reload: boolean;
  configPath: string;
}): Promise<InstallResult> {
  const pkg = packageRoot();
  const written: string[] = [];
  const put = (rel: string, content: string): void => {
    const dest = join(opts.root, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content, { mode: 0o644 });
    written.push(dest);
  };
  for (const unit of ['baysync.service', 'baysync-hotplug@.service', 'baysync-sync.service', 'baysync-sync.timer']) {
    const text = readFileSync(join(pkg, 'systemd', unit), 'utf8')
      .replaceAll('@INTERVAL@', String(opts.cfg?.realtime?.interval_seconds ?? 60))
      .replaceAll('@BIN@', opts.bin)
      .replaceAll('@NODE@', opts.node ?? '/usr/bin/env node')
      .replaceAll('@MAIN@', join(pkg, 'build', 'src', 'cli', 'main.js'));
    put(`etc/systemd/system/${unit}`, text);
  }
  put(
    'etc/udev/rules.d/64-baysync.rules',
    udevRule(opts.cfg, readFileSync(join(pkg, 'udev', '64-baysync.rules.in'), 'utf8')),
  );
  const cfgDest = join(opts.root, opts.configPath.replace(/^\//, ''));
  if (!existsSync(cfgDest)) {
    // The config may hold the SMTP password: its directory 0700, the file 0600 (root's).
    mkdirSync(dirname(cfgDest), { recursive: true, mode: 0o700 });
    copyFileSync(join(pkg, 'examples', 'baysync.toml'), cfgDest);
    chmodSync(cfgDest, 0o600);
    written.push(`${cfgDest} (example: edit it, then run \`baysync install\` again)`);
  }
  if (opts.reload) {
    await opts.runner.run(['systemctl', 'daemon-reload']);
    await opts.runner.run(['udevadm', 'control', '--reload']);
  }
  return { written, mdadmConf: opts.cfg ? mdadmConfLines(opts.cfg) : [] };
}
