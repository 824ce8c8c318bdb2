// The failover scenario on top of NetLab: an HTTP "service" on A and B (each answers with its
// name), the standby's config, and the checks the tests and the bench share. Contract: only
// real processes and real namespaces; the client is host C on the LAN.

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailoverState } from '../../src/failover/state.js';
import { cli, hostConfig, readJson, startDaemon, stateDir, waitFor } from './netdaemon.js';
import { lanA, type NetLab, segA } from './netlab.js';

export const servicePort = 8080;

export function startServices(lab: NetLab): void {
  for (const h of ['a', 'b'] as const) {
    const js = join(lab.dir, `${h}-service.cjs`);
    writeFileSync(
      js,
      `require('http').createServer((q, s) => s.end('${h.toUpperCase()}')).listen(${servicePort}, '0.0.0.0');\n`,
    );
    lab.start(h, [process.execPath, js], `${h}-service`);
  }
}

/** Who answers on A's address for client C: 'A', 'B' or undefined (nobody, within 700 ms). */
export function servedBy(lab: NetLab): string | undefined {
  const r = lab.exec(
    'c',
    [
      process.execPath,
      '-e',
      `fetch('http://${lanA}:${servicePort}/',{signal:AbortSignal.timeout(700)}).then(r=>r.text()).then(t=>console.log(t),()=>console.log('-'))`,
    ],
    true,
  );
  const t = r.stdout.trim();
  return t === 'A' || t === 'B' ? t : undefined;
}

export function standbyConfig(lab: NetLab, extra = ''): string {
  return hostConfig(
    lab,
    'b',
    `[failover]
service_address = "${lanA}/24"
fence_ssh_key = "${lab.keys.fence}"
failback_ssh_key = "${lab.keys.failback}"
known_hosts = "${lab.knownHosts}"
${extra}
[failover.lan]
peer = "${lanA}"
interface = "lan0"
[failover.segment]
peer = "${segA}"
interface = "seg0"

[realtime]
mode = "pull"
source = "/"
destination = "${lab.dataB}"
[realtime.remote]
host = "${segA}"
user = "root"
ssh_key = "${lab.keys.sync}"
known_hosts = "${lab.knownHosts}"
`,
  );
}

export function failoverState(lab: NetLab): FailoverState | undefined {
  return readJson<FailoverState>(join(stateDir(lab, 'b'), 'failover.json'));
}

export async function startStandby(lab: NetLab, cfg: string, name = 'b-daemon'): Promise<ChildProcess> {
  const p = startDaemon(lab, 'b', cfg, name);
  await waitFor('the standby to judge A healthy', () => failoverState(lab)?.verdict === 'healthy', 20_000);
  return p;
}

export function standbyHasAddress(lab: NetLab): boolean {
  return lab.exec('b', ['ip', '-o', 'addr', 'show', 'dev', 'lan0']).stdout.includes(`${lanA}/24`);
}

export function aLanUp(lab: NetLab): boolean {
  return /state UP|,UP[,>]/.test(lab.exec('a', ['ip', '-o', 'link', 'show', 'dev', 'lan0']).stdout);
}

export function failoverStatus(lab: NetLab, cfg: string): { phase: string; verdict: string } {
  return JSON.parse(cli(lab, 'b', cfg, ['failover', 'status', '--json']).stdout) as { phase: string; verdict: string };
}

/** Both of A's links (its LAN switch port and its segment NIC) down 1 s, up 1 s, for `seconds`. */
export async function flapA(lab: NetLab, seconds: number): Promise<void> {
  for (let i = 0; i < seconds / 2; i++) {
    lab.lanPort('a', false);
    lab.link('a', 'seg0', false);
    await new Promise((r) => setTimeout(r, 1000));
    lab.lanPort('a', true);
    lab.link('a', 'seg0', true);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
