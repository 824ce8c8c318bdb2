// The copy sections of the config: defaults, limits, and what may reach an argv.
import { describe, expect, it } from 'vitest';
import { copyReceiveSchema, copySchema } from '../../src/config/copy.js';
import { parseConfigText } from '../../src/config/load.js';

describe('[copy] and [copy_receive]', () => {
  it('defaults: 4 MiB chunks, the copy key and user, port 22; 64 MiB batches', () => {
    const c = copySchema.parse({ source: '/dev/vg0/pool', receiver: { host: '10.168.1.2' } });
    expect(c).toMatchObject({ chunk_mib: 4, read_ahead: 4, receiver: { user: 'baysync-copy', port: 22 } });
    expect(copyReceiveSchema.parse({ target: '/dev/vg1/pool' }).batch_mib).toBe(64);
  });

  it('refuses a relative or odd path, a chunk over 64 MiB, an unknown key', () => {
    const ok = { source: '/dev/vg0/pool', receiver: { host: 'b' } };
    for (const bad of [
      { ...ok, source: 'vg0/pool' },
      { ...ok, source: '/dev/../etc/passwd' },
      { ...ok, chunk_mib: 65 },
      { ...ok, target: '/dev/other' },
      { ...ok, receiver: { host: 'b', user: 'root; rm' } },
    ])
      expect(() => copySchema.parse(bad), JSON.stringify(bad)).toThrow();
    expect(() => copyReceiveSchema.parse({ target: '/dev/x', source: '/dev/y' })).toThrow();
  });

  it('transport = "tcp" needs the shared key, and says how to make one', () => {
    const text =
      '[copy]\nsource = "/dev/vg0/snap"\ntransport = "tcp"\n[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n';
    expect(() => parseConfigText('t.toml', text)).toThrow(
      /copy.key_file: transport = "tcp" needs the shared key \(head -c 32/,
    );
    expect(
      parseConfigText('t.toml', text.replace('[copy.receiver]', 'key_file = "/etc/baysync/copy.key"\n[copy.receiver]'))
        .copy?.transport,
    ).toBe('tcp');
  });

  it('a volume as "vg/lv" for the job, or a source by hand, exactly one; snapshot sizes as lvcreate takes them', () => {
    const base = '[copy.receiver]\nhost = "b"\n[mail]\nto = ["a@b.c"]\n';
    const c = parseConfigText('t.toml', `[copy]\nvolume = "vg0/pool"\n${base}`).copy!;
    expect(c).toMatchObject({ volume: 'vg0/pool', snapshot_size: '100%FREE', snapshot_abort_percent: 90 });
    for (const both of ['volume = "vg0/pool"\nsource = "/dev/x"', ''])
      expect(() => parseConfigText('t.toml', `[copy]\n${both}\n${base}`)).toThrow(/give either volume = "vg\/lv"/);
    const ok = { volume: 'vg0/pool', receiver: { host: 'b' } };
    for (const volume of ['pool', '-vg/pool', 'vg0/--yes', 'vg0/pool/x', '../x', 'vg0/po ol'])
      expect(() => copySchema.parse({ ...ok, volume }), volume).toThrow();
    for (const snapshot_size of ['100%FREE', '50%ORIGIN', '20G', '1.5t'])
      expect(copySchema.parse({ ...ok, snapshot_size }).snapshot_size).toBe(snapshot_size);
    for (const snapshot_size of ['all', '100%', '-L5G', '20'])
      expect(() => copySchema.parse({ ...ok, snapshot_size }), snapshot_size).toThrow();
    expect(() => copySchema.parse({ ...ok, snapshot_abort_percent: 100 })).toThrow();
  });
});
