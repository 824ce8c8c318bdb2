// Test helper: what systemd's baysync-copy-receive.socket (Accept=yes) does, for the namespace
// tests where no systemd runs: listen on ADDR:PORT and, for each connection, run the command with
// the connection as its stdin and stdout and REMOTE_ADDR set to the peer, as systemd sets it.
// Usage: node socket-activate.mjs ADDR PORT cmd args...
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const [addr, port, cmd, ...args] = process.argv.slice(2);
createServer({ pauseOnConnect: true }, (sock) => {
  const child = spawn(cmd, args, {
    stdio: [sock, sock, 'inherit'],
    env: { ...process.env, REMOTE_ADDR: sock.remoteAddress ?? '' },
  });
  child.on('close', () => sock.destroy());
}).listen(Number(port), addr, () => process.stdout.write('listening\n'));
