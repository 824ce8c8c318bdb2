// Lab scenario 'failover-under-systemd' (issue 10, section 3): the takeover's systemd actions on a
// real systemd. Two network namespaces in the guest stand for the main server (a) and the standby
// (b), on a LAN bridge with a client namespace (c) and a direct segment. B's daemon runs as a
// systemd unit placed in b (NetworkNamespacePath=), with its own config and state; A serves the
// service address. When A falls silent on both networks, B must stop baysync-sync.timer, start a
// real service (a small HTTP server, in b), and the client must reach it on the taken address.
// (busybox's wget segfaulted in the TCG guest, so server and client are node.)
import { sleep } from '../../common.js';
import type { LabSession } from '../../session.js';
import { Check, expect } from '../assert.js';

const config = `# the lab's standby (b)
[failover]
enabled = true
service_address = "192.168.77.1/24"
interval_ms = 500
timeout_ms = 400
fall = 3
rise = 2
stop_units = ["baysync-sync.timer"]
services = ["bslab-web.service"]

[failover.lan]
peer = "192.168.77.2"
interface = "lan0"

[failover.segment]
peer = "10.77.0.1"
interface = "seg0"

[mail]
to = ["root"]

[paths]
state_dir = "/var/lib/baysync-standby"
run_dir = "/run/baysync-standby"
`;

// The unit is placed in b by NetworkNamespacePath=; ip netns exec (into the same namespace) only
// remounts /sys for it, so that /sys/class/net shows b's interfaces (the carrier the monitor
// reads). A sysfs mounted by ExecStartPre= under PrivateMounts= showed no carrier (tried).
const unit = (node: string): string => `[Unit]
Description=baysync standby daemon of the lab (in network namespace b)
[Service]
NetworkNamespacePath=/run/netns/b
ExecStart=/usr/sbin/ip netns exec b ${node} /usr/lib/baysync/build/src/cli/main.js -c /etc/baysync/standby.toml daemon
`;

const server = (text: string): string =>
  `require('http').createServer((q, r) => r.end(${JSON.stringify(text)})).listen(80, '0.0.0.0')`;
const client = `const r = require('http').get('http://192.168.77.1/', { timeout: 5000 }, (res) => res.pipe(process.stdout));
r.on('timeout', () => r.destroy(new Error('timeout')));
r.on('error', (e) => { console.error(String(e)); process.exit(1); });`;

const web = (node: string): string => `[Unit]
Description=the lab's service on the standby (an HTTP server in namespace b)
[Service]
NetworkNamespacePath=/run/netns/b
ExecStart=${node} -e ${JSON.stringify(server('served by B\n'))}
`;

export async function run(s: LabSession): Promise<void> {
  const x = (argv: string[]) => s.vm.exec(argv);
  const ns = (n: string, argv: string[]) => s.vm.exec(['ip', 'netns', 'exec', n, ...argv]);
  for (const n of ['a', 'b', 'c']) await x(['ip', 'netns', 'add', n]);
  await x(['ip', 'link', 'add', 'br77', 'type', 'bridge']);
  await x(['ip', 'link', 'set', 'br77', 'up']);
  for (const n of ['a', 'b', 'c']) {
    await x(['ip', 'link', 'add', `${n}-lan`, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', n]);
    await x(['ip', 'link', 'set', `${n}-lan`, 'master', 'br77', 'up']);
    await ns(n, ['ip', 'link', 'set', 'lo', 'up']);
    await ns(n, ['ip', 'link', 'set', 'lan0', 'up']);
  }
  await x(['ip', 'link', 'add', 'seg0', 'netns', 'a', 'type', 'veth', 'peer', 'name', 'seg0', 'netns', 'b']);
  for (const [n, lan, seg] of [
    ['a', ['192.168.77.1/24', '192.168.77.2/24'], '10.77.0.1/24'],
    ['b', ['192.168.77.3/24'], '10.77.0.2/24'],
  ] as const) {
    for (const addr of lan) await ns(n, ['ip', 'addr', 'add', addr, 'dev', 'lan0']);
    await ns(n, ['ip', 'addr', 'add', seg, 'dev', 'seg0']);
    await ns(n, ['ip', 'link', 'set', 'seg0', 'up']);
  }
  await ns('c', ['ip', 'addr', 'add', '192.168.77.9/24', 'dev', 'lan0']);
  // A serves the address now (its own page); B's page waits for the takeover.
  const node = (await x(['sh', '-c', 'command -v node'])).stdout.trim();
  await x([
    'systemd-run',
    '--unit=bslab-a-web',
    '-p',
    'NetworkNamespacePath=/run/netns/a',
    node,
    '-e',
    server('served by A\n'),
  ]);
  await s.vm.writeFile('/run/bslab-get.js', client);
  await s.vm.writeFile('/etc/baysync/standby.toml', config);
  await s.vm.writeFile('/run/systemd/system/bslab-standby.service', unit(node));
  await s.vm.writeFile('/run/systemd/system/bslab-web.service', web(node));
  await x(['systemctl', 'daemon-reload']);
  await x(['systemctl', 'start', 'baysync-sync.timer']);
  await x(['systemctl', 'start', 'bslab-standby.service']);
  const get = () => s.vm.exec(['ip', 'netns', 'exec', 'c', node, '/run/bslab-get.js'], { allowFailure: true });
  for (let i = 0; i < 60 && (await get()).stdout !== 'served by A\n'; i++) await sleep(500);
  expect((await get()).stdout === 'served by A\n', 'the client reaches A before the takeover');
  await sleep(3000); // a few healthy rounds
  // A falls silent on both networks (its processes hang; ICMP is not answered).
  await ns('a', ['ip', 'link', 'set', 'lan0', 'down']);
  await ns('a', ['ip', 'link', 'set', 'seg0', 'down']);
  const deadline = Date.now() + 120_000;
  let phase = '';
  while (Date.now() < deadline) {
    const st = await x(['cat', '/var/lib/baysync-standby/failover.json']).catch(() => undefined);
    phase = st ? (JSON.parse(st.stdout) as { phase: string }).phase : '';
    if (phase === 'active') break;
    await sleep(500);
  }
  if (phase !== 'active') {
    const log = (await x(['journalctl', '-u', 'bslab-standby', '-n', '40', '--no-pager'])).stdout;
    throw new Check(`no takeover within 120 s (phase ${phase || 'none'}):\n${log}`);
  }
  const timer = await s.vm.exec(['systemctl', 'is-active', 'baysync-sync.timer'], { allowFailure: true });
  expect(timer.stdout.trim() !== 'active', `the takeover stopped baysync-sync.timer (${timer.stdout.trim()})`);
  const webState = await s.vm.exec(['systemctl', 'is-active', 'bslab-web.service'], { allowFailure: true });
  expect(webState.stdout.trim() === 'active', `the takeover started bslab-web.service (${webState.stdout.trim()})`);
  let page = await get();
  for (let i = 0; i < 20 && page.stdout !== 'served by B\n'; i++) {
    await sleep(500);
    page = await get();
  }
  expect(
    page.stdout === 'served by B\n',
    `the client reaches the service on the taken address (${page.stdout}${page.stderr})`,
  );
  await x(['systemctl', 'stop', 'bslab-standby.service', 'bslab-web.service', 'bslab-a-web.service']);
}
