// `baysync verify --set X`: asks the daemon to verify a plugged-in, detached set and prints the
// verdict with what it proved. Contract: exit 0 when the copy is proved, 1 when damage was
// found, 2 when too little could be compared to say (INCONCLUSIVE).
import { request } from '../daemon/control-client.js';
import type { VerifyResult } from '../rotation/types.js';
import { verifyOutcome } from '../rotation/verdict.js';

const words = { success: 'OK', failed: 'FAILED', inconclusive: 'INCONCLUSIVE' } as const;
const codes = { success: 0, failed: 1, inconclusive: 2 } as const;

export async function verifyCommand(socket: string, set: string, asJson: boolean): Promise<number> {
  const r = await request<VerifyResult>(socket, { cmd: 'verify', set }, 1800_000);
  const outcome = verifyOutcome(r);
  process.stdout.write(asJson ? `${JSON.stringify(r, null, 2)}\n` : `${words[outcome]}: ${r.detail}\n`);
  return codes[outcome];
}
