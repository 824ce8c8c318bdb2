// Lab scenario 'failover-under-systemd' (issue 10, section 3): the takeover's systemd actions on a
// real systemd. Two network namespaces in the guest stand for the main server (a) and the standby
// (b), on a LAN bridge with a client namespace (c) and a direct segment. B's daemon runs as a
// systemd unit placed in b (NetworkNamespacePath=), with its own config and state; A serves the
// service address. When A falls silent on both networks, B must stop baysync-sync.timer, start a
// real service (busybox httpd, in b), and the client must reach that service on the taken address.
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
sysfs = "/run/baysync-standby-sys"
`;

const unit = (node: string): string => `[Unit]
Description=baysync standby daemon of the lab (in network namespace b)
[Service]
NetworkNamespacePath=/run/netns/b
PrivateMounts=yes
# sysfs mounted from inside the namespace shows its interfaces (carrier of lan0, seg0).
ExecStartPre=/usr/bin/mkdir -p /run/baysync-standby-sys
ExecStartPre=/usr/bin/mount -t sysfs sysfs /run/baysync-standby-sys
ExecStart=${node} /usr/lib/baysync/build/src/cli/main.js -c /etc/baysync/standby.toml daemon
`;

const web = `[Unit]
Description=the lab's service on the standby (busybox httpd in namespace b)
[Service]
NetworkNamespacePath=/run/netns/b
ExecStart=/bin/busybox httpd -f -p 80 -h /srv/bslab-www
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
  await x(['mkdir', '-p', '/srv/bslab-www', '/srv/bslab-a']);
  await s.vm.writeFile('/srv/bslab-www/index.html', 'served by B\n');
  await s.vm.writeFile('/srv/bslab-a/index.html', 'served by A\n');
  await x([
    'systemd-run',
    '--unit=bslab-a-web',
    '-p',
    'NetworkNamespacePath=/run/netns/a',
    '/bin/busybox',
    'httpd',
    '-f',
    '-p',
    '80',
    '-h',
    '/srv/bslab-a',
  ]);
  const node = (await x(['sh', '-c', 'command -v node'])).stdout.trim();
  await s.vm.writeFile('/etc/baysync/standby.toml', config);
  await s.vm.writeFile('/run/systemd/system/bslab-standby.service', unit(node));
  await s.vm.writeFile('/run/systemd/system/bslab-web.service', web);
  await x(['systemctl', 'daemon-reload']);
  await x(['systemctl', 'start', 'baysync-sync.timer']);
  await x(['systemctl', 'start', 'bslab-standby.service']);
  const get = () => ns('c', ['busybox', 'wget', '-q', '-T', '2', '-O', '-', 'http://192.168.77.1/']);
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
  const page = await ns('c', ['busybox', 'wget', '-q', '-T', '5', '-O', '-', 'http://192.168.77.1/']);
  expect(page.stdout === 'served by B\n', `the client reaches the service on the taken address (${page.stdout})`);
  await x(['systemctl', 'stop', 'bslab-standby.service', 'bslab-web.service', 'bslab-a-web.service']);
}
