// Parser for `ip -j addr show` (iproute2 JSON). Contract: pure; returns the interfaces with
// their IPv4/IPv6 addresses as "addr/prefix" and the link state; throws on text that is not
// iproute2's JSON array. Fixtures: test/fixtures/net/ip-addr-*.json.
export interface IfAddrs {
  name: string;
  up: boolean;
  operstate: string;
  addresses: string[];
}

interface RawIf {
  ifname?: unknown;
  flags?: unknown;
  operstate?: unknown;
  addr_info?: Array<{ local?: unknown; prefixlen?: unknown }>;
}

export function parseIpAddr(json: string): IfAddrs[] {
  const data = JSON.parse(json.trim() || '[]') as unknown;
  if (!Array.isArray(data)) throw new Error('ip -j addr: expected a JSON array');
  return (data as RawIf[]).map((i) => ({
    name: String(i.ifname ?? ''),
    up: Array.isArray(i.flags) && i.flags.includes('UP'),
    operstate: String(i.operstate ?? 'UNKNOWN'),
    addresses: (i.addr_info ?? [])
      .filter((a) => typeof a.local === 'string')
      .map((a) => `${String(a.local)}/${String(a.prefixlen)}`),
  }));
}
