// `npm test`'s set-up step (run by the pretest script after the build): the namespace tests
// (test/netns) need sshd, ssh, rsync, ping, arping, and for the copy e2fsprogs, losetup, pkill. As root on a machine without them, it
// installs them with apt-get (argv only, no recommends); otherwise it says which tests will be
// skipped and why. It never fails the test run itself.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs: Array<[string, string]> = [
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/bin/rsync', 'rsync'],
  ['/usr/bin/rrsync', 'rsync'],
  ['/usr/bin/ping', 'iputils-ping'],
  ['/usr/bin/arping', 'iputils-arping'],
  ['/usr/sbin/ip', 'iproute2'],
  // The snapshot copy's namespace tests: an ext4 pool image, a mounted loop target, a cut link.
  ['/usr/sbin/mkfs.ext4', 'e2fsprogs'],
  ['/usr/sbin/debugfs', 'e2fsprogs'],
  ['/usr/sbin/losetup', 'mount'],
  ['/usr/bin/pkill', 'procps'],
];
const missing = [...new Set(needs.filter(([f]) => !existsSync(f)).map(([, p]) => p))];
if (missing.length) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `note: ${missing.join(', ')} missing and not root: the network-namespace tests (test/netns) will be skipped. Run \`sudo npm test\` to install them and run everything.\n`,
    );
  } else {
    process.stderr.write(`installing for the network-namespace tests: ${missing.join(' ')}\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r =
      upd.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
            stdio: 'inherit',
            env,
          })
        : upd;
    if (r.status !== 0)
      process.stderr.write('apt-get failed: the network-namespace tests will report what is missing\n');
  }
}
