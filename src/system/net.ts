// Network adapter for the failover monitor: ICMP probes through a given interface, the
// service address on an interface, gratuitous ARP. Contract: argv only through the runner;
// probes never throw (a probe that cannot run is a failed probe with its reason); address
// changes are idempotent (adding a present address or removing an absent one is a no-op).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type IfAddrs, parseIpAddr } from './parsers/ip-addr.js';
import { type PingResult, parsePing } from './parsers/ping.js';
import type { CommandRunner } from './runner.js';

export class NetAdapter {
  constructor(private readonly runner: CommandRunner) {}

  async ping(iface: string, peer: string, timeoutMs: number): Promise<PingResult> {
    const secs = Math.max(0.1, timeoutMs / 1000).toFixed(1);
    const r = await this.runner.run(['ping', '-n', '-c', '1', '-W', secs, '-I', iface, peer], {
      allowFailure: true,
      quiet: true,
      timeoutMs: timeoutMs + 2000,
    });
    return parsePing(r.exitCode, r.stdout, r.stderr);
  }

  async interface(iface: string): Promise<IfAddrs | undefined> {
    const r = await this.runner.run(['ip', '-j', 'addr', 'show', 'dev', iface], { allowFailure: true, quiet: true });
    if (r.exitCode !== 0) return undefined;
    return parseIpAddr(r.stdout)[0];
  }

  async hasAddress(iface: string, cidr: string): Promise<boolean> {
    return (await this.interface(iface))?.addresses.includes(cidr) ?? false;
  }

  async addAddress(iface: string, cidr: string): Promise<void> {
    if (await this.hasAddress(iface, cidr)) return;
    await this.runner.run(['ip', 'addr', 'add', cidr, 'dev', iface]);
  }

  async removeAddress(iface: string, cidr: string): Promise<void> {
    if (!(await this.hasAddress(iface, cidr))) return;
    await this.runner.run(['ip', 'addr', 'del', cidr, 'dev', iface]);
  }

  /** Unsolicited ARP so the LAN's neighbours (and switches) learn the address moved here.
   *  The first announcement leaves at once; the run (3 announcements, 1 s apart, for the
   *  neighbours that missed one) is not waited for. */
  gratuitousArp(iface: string, ip: string): Promise<void> {
    const done = this.runner.run(['arping', '-q', '-U', '-c', '3', '-w', '4', '-I', iface, ip], {
      allowFailure: true,
      timeoutMs: 6000,
    });
    done.catch(() => undefined);
    return Promise.resolve();
  }

  /** Duplicate-address detection (arping -D, RFC 5227's probe): whether another host answers for
   *  `ip` on the LAN. iputils arping exits 0 when no reply came, 1 when one did. */
  async duplicate(iface: string, ip: string, waitSeconds = 1): Promise<'free' | 'taken' | 'unknown'> {
    const r = await this.runner.run(
      ['arping', '-D', '-q', '-c', '1', '-w', String(waitSeconds), '-I', iface, '--', ip],
      {
        allowFailure: true,
        timeoutMs: waitSeconds * 1000 + 3000,
      },
    );
    return r.exitCode === 0 ? 'free' : r.exitCode === 1 ? 'taken' : 'unknown';
  }

  /** Whether an interface has carrier (sysfs; false when it cannot be read). */
  async carrier(sysfs: string, iface: string): Promise<boolean> {
    const v = await readFile(join(sysfs, 'class', 'net', iface, 'carrier'), 'utf8').catch(() => '0');
    return v.trim() === '1';
  }
}
