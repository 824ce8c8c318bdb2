import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaemonUnreachable, request } from '../../src/daemon/control-client.js';

describe('control client', () => {
  it('says the daemon is unreachable when nothing listens', async () => {
    await expect(request(join(tmpdir(), 'no-such.sock'), { cmd: 'ping' }, 1000)).rejects.toBeInstanceOf(
      DaemonUnreachable,
    );
  });
});
