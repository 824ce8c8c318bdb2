// Parser for one iputils `ping -c 1` run. Contract: pure; a reply is exit code 0 with a
// "time=" line (its round trip in ms); anything else is no reply, with ping's own reason
// when it printed one. Fixtures: test/fixtures/net/ping-*.txt.
export interface PingResult {
  ok: boolean;
  rttMs?: number;
  reason?: string;
}

export function parsePing(exitCode: number, stdout: string, stderr: string): PingResult {
  const rtt = /time[=<]([\d.]+) ms/.exec(stdout);
  if (exitCode === 0 && rtt) return { ok: true, rttMs: Number(rtt[1]) };
  const why =
    stderr.trim().split('\n').pop() ||
    (/(Destination \w+ Unreachable)/.exec(stdout)?.[1] ?? (exitCode === 1 ? 'no reply' : `ping exit ${exitCode}`));
  return { ok: false, reason: why };
}
