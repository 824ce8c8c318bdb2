// Parser for one iputils `ping -c 1` run. Contract: pure; a reply is exit code 0 with a
// "time=" line (its round trip in ms); exit 1 is no reply (the peer is silent), with ping's own
// reason when it printed one; anything else (exit 2: ping's own error, such as a missing
// interface; 127: ping could not be started; 124: it hung) means the probe could not run, and is
// `unknown`: it says nothing about the peer. Fixtures: test/fixtures/net/ping-*.
export interface PingResult {
  ok: boolean;
  /** The probe could not run: neither up nor down. */
  unknown?: boolean;
  rttMs?: number;
  reason?: string;
}

export function parsePing(exitCode: number, stdout: string, stderr: string): PingResult {
  const rtt = /time[=<]([\d.]+) ms/.exec(stdout);
  if (exitCode === 0 && rtt) return { ok: true, rttMs: Number(rtt[1]) };
  const why =
    stderr.trim().split('\n').pop() ||
    (/(Destination \w+ Unreachable)/.exec(stdout)?.[1] ?? (exitCode === 1 ? 'no reply' : `ping exit ${exitCode}`));
  return exitCode === 1 || exitCode === 0 ? { ok: false, reason: why } : { ok: false, unknown: true, reason: why };
}
