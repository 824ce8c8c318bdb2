// The copy link's two ends without a network: ssh's argv (the host after `--`, the key and the
// known-hosts file the config names, nothing from the receiver), and a receiver without
// [copy_receive] refusing the session.
import { describe, expect, it } from 'vitest';
import { copySchema } from '../../src/config/copy.js';
import { encodeMessage, parseMessage } from '../../src/copy/hello.js';
import { receiveSession, sshArgv } from '../../src/copy/link.js';

describe('sshArgv', () => {
  it('names the key, the known hosts and the port, and puts the host after --', () => {
    const c = copySchema.parse({ source: '/dev/vg0/pool-snap', receiver: { host: 'backup2.example.org' } });
    const a = sshArgv(c.receiver);
    expect(a[0]).toBe('ssh');
    expect(a.slice(a.indexOf('--'))).toEqual(['--', 'backup2.example.org', 'baysync-copy-receive']);
    expect(a).toContain('/etc/baysync/copy_ed25519');
    expect(a).toContain('UserKnownHostsFile=/etc/baysync/known_hosts');
    expect(a).toContain('StrictHostKeyChecking=yes');
    expect(a).toContain('BatchMode=yes');
    expect(a.slice(a.indexOf('-l'), a.indexOf('-l') + 2)).toEqual(['-l', 'baysync-copy']);
  });

  it('a host that looks like an option is refused by the config', () => {
    expect(() => copySchema.parse({ source: '/dev/x', receiver: { host: '-oProxyCommand=x' } })).toThrow();
  });
});

describe('receiveSession', () => {
  it('a host without [copy_receive] refuses, and opens nothing', async () => {
    const out: Buffer[] = [];
    let opened = false;
    async function* ask(): AsyncGenerator<Buffer> {
      yield encodeMessage({ kind: 'ask', volumeBytes: 1 << 20, chunkBytes: 1 << 16 });
    }
    const r = await receiveSession(ask(), async (b) => void out.push(...b), {
      cfg: undefined,
      digestPath: '/nonexistent/digest',
      openTarget: async () => {
        opened = true;
        throw new Error('unreachable');
      },
      dropCache: async () => undefined,
      log: () => undefined,
    });
    expect(r).toEqual({ refused: expect.stringMatching(/no \[copy_receive\] section/) });
    expect(opened).toBe(false);
    expect(parseMessage(Buffer.concat(out).toString().trim())).toMatchObject({ kind: 'refused' });
  });
});
