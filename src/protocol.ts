// The control socket's requests, as a zod schema: what `baysync` and mdadm's event hook may ask
// the daemon. A leaf module (daemon, jobs and CLI import it). Contract: every field that names a
// device or a set is validated here, before any handler runs (invariant 7).
import { z } from 'zod';

const kname = z.string().regex(/^[a-z0-9]+$/, 'a kernel device name');
const setName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/);

export const requestSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('ping') }),
  z.object({ cmd: z.literal('status') }),
  z.object({ cmd: z.literal('restart-when-idle') }),
  z.object({ cmd: z.literal('plan') }),
  z.object({ cmd: z.literal('notify'), action: z.enum(['add', 'remove', 'change']), kernel: kname }),
  z.object({
    cmd: z.literal('md-event'),
    event: z.string().regex(/^[A-Za-z]{1,40}$/),
    device: z
      .string()
      .regex(/^\/dev\/[a-z0-9/_.-]+$/)
      .max(64),
    component: z
      .string()
      .regex(/^\/dev\/[a-z0-9/_.-]+$/)
      .max(64)
      .optional(),
  }),
  z.object({ cmd: z.literal('rotate'), action: z.enum(['start', 'finish', 'abort']), set: setName.optional() }),
  z.object({ cmd: z.literal('verify'), set: setName }),
  z.object({ cmd: z.literal('failover'), action: z.enum(['status', 'begin-failback', 'resume', 'cancel-failback']) }),
]);

export type ControlRequest = z.infer<typeof requestSchema>;
