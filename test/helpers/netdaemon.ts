// Helpers for the network-namespace tests: write a host's baysync config, run the real CLI
// and daemon (built JS) inside a namespace, and wait for conditions.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Host, type NetLab, segB } from './netlab.js';

export const mainJs = resolve('build/src/cli/main.js');

const rootOf = (lab: NetLab, h: Host, name: string): string =>
  join(lab.dir, name === 'baysync' ? `${h}-baysync` : `${h}-baysync-${name}`);

/** Writes <host>-baysync[-<name>]/<name>.toml, with its own state and run directories. */
export function hostConfig(lab: NetLab, h: Host, body: string, name = 'baysync'): string {
  const root = rootOf(lab, h, name);
  mkdirSync(root, { recursive: true });
  const file = join(root, `${name}.toml`);
  writeFileSync(
    file,
    `${body}

[mail]
to = ["ops@example.org"]
transport = "smtp"
[mail.smtp]
host = "127.0.0.1"
port = 9

[paths]
state_dir = "${root}/state"
run_dir = "${root}/run"
`,
  );
  return file;
}

/** A's push config: the tree `src` goes to B's rrsync-restricted `dest` (relative to B's data dir). */
export function pushConfig(lab: NetLab, src: string, dest: string, name: string, extra = ''): string {
  return hostConfig(
    lab,
    'a',
    `[realtime]
mode = "push"
source = "${src}"
destination = "${dest}"
${extra}
[realtime.remote]
host = "${segB}"
user = "root"
ssh_key = "${lab.keys.push}"
known_hosts = "${lab.knownHosts}"
`,
    name,
  );
}

export function stateDir(lab: NetLab, h: Host, name = 'baysync'): string {
  return join(rootOf(lab, h, name), 'state');
}

export function cli(
  lab: NetLab,
  h: Host,
  cfg: string,
  args: string[],
  allowFailure = true,
): { status: number; stdout: string; stderr: string } {
  return lab.exec(h, [process.execPath, mainJs, '-c', cfg, ...args], allowFailure);
}

export function startDaemon(lab: NetLab, h: Host, cfg: string, name = `${h}-daemon`): ChildProcess {
  return lab.start(h, [process.execPath, mainJs, '-c', cfg, 'daemon'], name, { BAYSYNC_LOG_LEVEL: 'debug' });
}

export async function waitFor<T>(
  what: string,
  f: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  // Deadlines are generous (at least a minute, four times what was asked): they only bound a
  // hang, and pass/fail never depends on the machine's speed (issue 10, section 7).
  const end = Date.now() + Math.max(60_000, 4 * timeoutMs);
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function spooledSubjects(lab: NetLab, h: Host, name = 'baysync'): string[] {
  const dir = join(stateDir(lab, h, name), 'mail');
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { subject: string }).subject);
  } catch {
    return [];
  }
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
