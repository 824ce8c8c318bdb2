// Helpers for the network-namespace tests: write a host's baysync config, run the real CLI
// and daemon (built JS) inside a namespace, and wait for conditions.
import { mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Host, NetLab } from './netlab.js';

export const mainJs = resolve('build/src/cli/main.js');

/** Writes <host>-baysync/<name>.toml; every config of a host shares its state and run dirs. */
export function hostConfig(lab: NetLab, h: Host, body: string, name = 'baysync'): string {
  const root = join(lab.dir, `${h}-baysync`);
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

export function stateDir(lab: NetLab, h: Host): string {
  return join(lab.dir, `${h}-baysync`, 'state');
}

export function cli(lab: NetLab, h: Host, cfg: string, args: string[], allowFailure = true): { status: number; stdout: string; stderr: string } {
  return lab.exec(h, [process.execPath, mainJs, '-c', cfg, ...args], allowFailure);
}

export function startDaemon(lab: NetLab, h: Host, cfg: string, name = `${h}-daemon`): ChildProcess {
  return lab.start(h, [process.execPath, mainJs, '-c', cfg, 'daemon'], name, { BAYSYNC_LOG_LEVEL: 'debug' });
}

export async function waitFor<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function spooledSubjects(lab: NetLab, h: Host): string[] {
  const dir = join(stateDir(lab, h), 'mail');
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
