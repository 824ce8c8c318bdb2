// A two-server network built from real network namespaces, for the real-time sync and the
// failover tests. Contract: hosts A (main), B (standby) and C (a LAN client) each get a
// namespace; the LAN is a bridge in a fourth "switch" namespace; the dedicated segment is a
// veth pair straight between A and B. sshd runs in A and B with forced-command keys (rrsync
// for data, `ip link set dev lan0 down` for fencing, `baysync copy receive` for the copy). Only addresses inside these namespaces
// are used (192.168.77.0/24 LAN, 10.77.0.0/24 segment). Everything is real: ip, sshd, ssh,
// rsync, ping, arping. Needs root. down() removes every namespace and process it made.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const lanA = '192.168.77.1';
export const lanB = '192.168.77.2';
export const lanC = '192.168.77.10';
export const segA = '10.77.0.1';
export const segB = '10.77.0.2';

export type Host = 'a' | 'b' | 'c' | 'sw';

export function netlabMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the network-namespace tests need root (run `sudo npm test`, or .ci/run)';
  for (const c of ['ip', 'sshd', 'ssh', 'rsync', 'rrsync', 'ping', 'arping', 'ssh-keygen']) {
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0 && !existsSync(`/usr/sbin/${c}`))
      return `${c} is missing: apt-get install openssh-server openssh-client rsync iputils-ping iputils-arping (.ci/run does)`;
  }
  return undefined;
}

export class NetLab {
  readonly id = `bs${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'baysync-netlab-'));
  private procs: ChildProcess[] = [];
  readonly keys: Record<'sync' | 'fence' | 'cure' | 'failback' | 'push' | 'copy' | 'dd', string> = {
    sync: '',
    fence: '',
    cure: '',
    failback: '',
    push: '',
    copy: '',
    dd: '',
  };
  knownHosts = '';

  ns(h: Host): string {
    return `${this.id}${h}`;
  }

  /** Run a command inside a host's namespace; throws on failure unless allowFailure. */
  exec(h: Host, argv: string[], allowFailure = false): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(h), ...argv], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0 && !allowFailure) throw new Error(`[${h}] ${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  private host(argv: string[]): void {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }

  /** Start a long-running process in a namespace, output to a log file. */
  start(h: Host, argv: string[], logName: string, env: Record<string, string> = {}): ChildProcess {
    const log = openSync(join(this.dir, `${logName}.log`), 'a');
    // A process group of its own, so that down() also ends what it starts (the inotify-limit
    // wrapper runs the daemon as its child).
    const p = spawn('ip', ['netns', 'exec', this.ns(h), ...argv], {
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env },
      detached: true,
    });
    this.procs.push(p);
    return p;
  }

  log(name: string): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async up(): Promise<void> {
    for (const h of ['a', 'b', 'c', 'sw'] as const) {
      this.host(['ip', 'netns', 'add', this.ns(h)]);
      this.exec(h, ['ip', 'link', 'set', 'lo', 'up']);
    }
    this.exec('sw', ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    this.exec('sw', ['ip', 'link', 'set', 'br0', 'up']);
    const lan: Array<[Host, string]> = [
      ['a', lanA],
      ['b', lanB],
      ['c', lanC],
    ];
    for (const [h, addr] of lan) {
      const port = `p${h}`;
      this.host(['ip', 'link', 'add', `${this.id}${h}l`, 'type', 'veth', 'peer', 'name', `${this.id}${h}p`]);
      this.host(['ip', 'link', 'set', `${this.id}${h}l`, 'netns', this.ns(h)]);
      this.host(['ip', 'link', 'set', `${this.id}${h}p`, 'netns', this.ns('sw')]);
      this.exec(h, ['ip', 'link', 'set', `${this.id}${h}l`, 'name', 'lan0']);
      this.exec('sw', ['ip', 'link', 'set', `${this.id}${h}p`, 'name', port]);
      this.exec('sw', ['ip', 'link', 'set', port, 'master', 'br0']);
      this.exec('sw', ['ip', 'link', 'set', port, 'up']);
      this.exec(h, ['ip', 'addr', 'add', `${addr}/24`, 'dev', 'lan0']);
      this.exec(h, ['ip', 'link', 'set', 'lan0', 'up']);
    }
    this.host(['ip', 'link', 'add', `${this.id}sa`, 'type', 'veth', 'peer', 'name', `${this.id}sb`]);
    this.host(['ip', 'link', 'set', `${this.id}sa`, 'netns', this.ns('a')]);
    this.host(['ip', 'link', 'set', `${this.id}sb`, 'netns', this.ns('b')]);
    this.exec('a', ['ip', 'link', 'set', `${this.id}sa`, 'name', 'seg0']);
    this.exec('b', ['ip', 'link', 'set', `${this.id}sb`, 'name', 'seg0']);
    this.exec('a', ['ip', 'addr', 'add', `${segA}/24`, 'dev', 'seg0']);
    this.exec('b', ['ip', 'addr', 'add', `${segB}/24`, 'dev', 'seg0']);
    this.exec('a', ['ip', 'link', 'set', 'seg0', 'up']);
    this.exec('b', ['ip', 'link', 'set', 'seg0', 'up']);
    await this.startSshd();
  }

  /** Data directories: A's tree and B's copy. */
  get dataA(): string {
    return join(this.dir, 'a-data');
  }
  get dataB(): string {
    return join(this.dir, 'b-data');
  }
  /** Where the seed's `ssh dd` pipe writes on B (the bench). */
  get bDdTarget(): string {
    return join(this.dir, 'b-dd-target.img');
  }
  /** B's config for the copy key's forced command (the test writes it). */
  get bCopyConfig(): string {
    return join(this.dir, 'b-baysync-copy', 'copy.toml');
  }
  /** The state directory B's push key reads failover.json from. */
  get bReceiveState(): string {
    return join(this.dir, 'b-receive-state');
  }

  private async startSshd(): Promise<void> {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    mkdirSync(this.dataA, { recursive: true });
    mkdirSync(this.dataB, { recursive: true });
    for (const k of Object.keys(this.keys) as Array<keyof NetLab['keys']>) {
      const f = join(this.dir, `${k}_ed25519`);
      this.host(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `baysync-${k}`, '-f', f]);
      this.keys[k] = f;
    }
    const pub = (k: keyof NetLab['keys']): string => readFileSync(`${this.keys[k]}.pub`, 'utf8').trim();
    const rrsync = resolve('/usr/bin/rrsync');
    const ak: Record<'a' | 'b', string[]> = {
      a: [
        `restrict,command="${rrsync} -ro ${this.dataA}" ${pub('sync')}`,
        `restrict,command="/usr/sbin/ip link set dev lan0 down" ${pub('fence')}`,
        `restrict,command="/usr/sbin/ip link set dev lan0 up" ${pub('cure')}`,
        `restrict,command="${rrsync} ${this.dataA}" ${pub('failback')}`,
      ],
      // B's push key runs baysync's receive (rrsync, refused after a takeover: issue 10).
      b: [
        `restrict,command="${process.execPath} ${resolve('build/src/cli/main.js')} receive --state-dir ${this.bReceiveState} --rrsync ${rrsync} ${this.dataB}" ${pub('push')}`,
        // The snapshot copy's key: B's own config names the target (issue 13).
        `restrict,command="${process.execPath} ${resolve('build/src/cli/main.js')} -c ${this.bCopyConfig} copy receive" ${pub('copy')}`,
        // The seed's own pipe, for the bench: `dd | ssh dd of=...`.
        `restrict,command="dd of=${this.bDdTarget} bs=1M iflag=fullblock status=none" ${pub('dd')}`,
      ],
    };
    const known: string[] = [];
    for (const h of ['a', 'b'] as const) {
      const hk = join(this.dir, `${h}_host_ed25519`);
      this.host(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', hk]);
      writeFileSync(join(this.dir, `${h}_authorized_keys`), `${ak[h].join('\n')}\n`, { mode: 0o600 });
      const cfgFile = join(this.dir, `${h}_sshd_config`);
      writeFileSync(
        cfgFile,
        `${[
          'Port 22',
          `HostKey ${hk}`,
          `PidFile ${join(this.dir, `${h}_sshd.pid`)}`,
          `AuthorizedKeysFile ${join(this.dir, `${h}_authorized_keys`)}`,
          'PermitRootLogin forced-commands-only',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'LogLevel ERROR',
        ].join('\n')}\n`,
      );
      this.start(h, ['/usr/sbin/sshd', '-D', '-e', '-f', cfgFile], `${h}_sshd`);
      known.push(
        `${h === 'a' ? segA : segB} ${readFileSync(`${hk}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`,
      );
    }
    this.knownHosts = join(this.dir, 'known_hosts');
    writeFileSync(this.knownHosts, `${known.join('\n')}\n`);
    // Wait until both sshd listen.
    for (const h of ['a', 'b'] as const) {
      for (let i = 0; i < 100; i++) {
        if (this.exec(h, ['ss', '-ltn', 'sport = :22'], true).stdout.includes(':22')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** ssh from A to B's segment address as root with one of the keys (its forced command runs). */
  sshToB(key: keyof NetLab['keys'], command: string): string[] {
    const o = ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${this.knownHosts}`];
    return ['ssh', '-T', '-i', this.keys[key], ...o, '-l', 'root', '--', segB, command];
  }

  link(h: Host, dev: string, up: boolean): void {
    this.exec(h, ['ip', 'link', 'set', 'dev', dev, up ? 'up' : 'down']);
  }

  /** The switch port of a host's LAN link (down = cable pulled on the LAN). */
  lanPort(h: 'a' | 'b' | 'c', up: boolean): void {
    this.link('sw', `p${h}`, up);
  }

  async down(): Promise<void> {
    for (const p of this.procs) {
      try {
        if (p.pid) process.kill(-p.pid, 'SIGKILL');
      } catch {
        p.kill('SIGKILL');
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    for (const h of ['a', 'b', 'c', 'sw'] as const) spawnSync('ip', ['netns', 'del', this.ns(h)]);
    if (!process.env.KEEP_NETLAB) rmSync(this.dir, { recursive: true, force: true });
  }
}
