// Every control request reaches exactly one Service (or the daemon itself for ping, status and
// restart-when-idle).
import { describe, expect, it } from 'vitest';
import { FailoverService } from '../../src/failover/service.js';
import { requestSchema } from '../../src/protocol.js';
import { RealtimeService } from '../../src/realtime/service.js';
import { RotationService } from '../../src/rotation/service.js';

describe('the Services and the control protocol', () => {
  it('each request kind is answered by one Service, and none is left unanswered', () => {
    const cmds = requestSchema.options.map((o) => o.shape.cmd.value);
    const owners = new Map<string, string[]>();
    for (const svc of [RotationService, RealtimeService, FailoverService])
      for (const c of svc.commands as readonly string[]) owners.set(c, [...(owners.get(c) ?? []), svc.name]);
    const daemonOwn = ['ping', 'status', 'restart-when-idle'];
    for (const c of cmds.filter((c) => !daemonOwn.includes(c))) expect(owners.get(c), c).toHaveLength(1);
    for (const c of daemonOwn) expect(owners.get(c), c).toBeUndefined();
  });
});
