// The snapshot copy across real network namespaces (issue 13): A sends a volume over real sshd to
// B, whose copy key's forced command is `baysync copy receive` with B's own config naming the
// target. Files and loop devices stand for the volumes (this kernel has no device-mapper).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDigest } from '../../src/copy/digest.js';
import { cli, hostConfig, mainJs } from '../helpers/netdaemon.js';
import { NetLab, netlabMissing, segA, segB } from '../helpers/netlab.js';

const missing = netlabMissing();
const MiB = 1048576;
const volume = 40 * MiB + 300 * 1024; // the last chunk is cut short
const chunks = Math.ceil(volume / MiB);

/** Data that looks like a pool: random chunks, text, and mostly-zero chunks; each call differs
 *  in every chunk. */
function realistic(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  const salt = randomBytes(6).toString('hex');
  for (let off = 0, i = 0; off < bytes; off += MiB, i++) {
    const n = Math.min(MiB, bytes - off);
    if (i % 3 === 0) randomBytes(n).copy(b, off);
    else if (i % 3 === 1) Buffer.from(`line ${i} of a BackupPC log ${salt}\n`.repeat(n / 20 + 1)).copy(b, off, 0, n);
    else b.write(`sparse ${salt}`, off);
  }
  return b;
}

const sha = (f: string, len = volume): string =>
  createHash('sha256').update(readFileSync(f).subarray(0, len)).digest('hex');

describe.skipIf(missing)(
  `snapshot copy over real namespaces and sshd${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const lab = new NetLab();
    let src = '';
    let tgt = '';
    let cfgA = '';
    const bCopy = (body: string): void => void hostConfig(lab, 'b', body, 'copy');
    const send = (): { status: number; out: Record<string, unknown>; stderr: string } => {
      const r = cli(lab, 'a', cfgA, ['copy', 'send', '--json']);
      let out: Record<string, unknown> = {};
      try {
        out = JSON.parse(r.stdout) as Record<string, unknown>;
      } catch {
        // the failure is in stderr
      }
      return { status: r.status, out, stderr: r.stderr };
    };

    beforeAll(async () => {
      await lab.up();
      src = join(lab.dir, 'a-volume.img');
      tgt = join(lab.dir, 'b-volume.img');
      writeFileSync(src, realistic(volume));
      writeFileSync(tgt, Buffer.alloc(volume + 5 * MiB));
      cfgA = hostConfig(
        lab,
        'a',
        `[copy]\nsource = "${src}"\nchunk_mib = 1\n[copy.receiver]\nhost = "${segB}"\nuser = "root"\nssh_key = "${lab.keys.copy}"\nknown_hosts = "${lab.knownHosts}"\n`,
        'copy',
      );
      bCopy(`[copy_receive]\ntarget = "${tgt}"\nbatch_mib = 1\nfsck = false\n`);
    }, 60_000);
    afterAll(() => lab.down());

    it('a full copy, then a changed pass that sends only the changed chunks', () => {
      const full = send();
      expect(full.stderr).toBe('');
      expect(full.status).toBe(0);
      expect(full.out).toMatchObject({ known: 0, sent: { chunks, chunksSent: chunks }, result: { ok: true } });
      expect(sha(tgt)).toBe(sha(src));
      // Two chunks change, one of them the short last one.
      const buf = readFileSync(src);
      buf.write('changed', 5 * MiB + 17);
      buf.write('changed too', volume - 10);
      writeFileSync(src, buf);
      const again = send();
      expect(again.status).toBe(0);
      expect(again.out).toMatchObject({
        known: chunks,
        sent: { chunksSent: 2 },
        result: { ok: true, chunksWritten: 2 },
      });
      expect(sha(tgt)).toBe(sha(src));
    });

    it('a link cut mid-copy resumes from the last fsynced batch', async () => {
      const data = realistic(volume); // every chunk differs now
      writeFileSync(src, data);
      const want = Array.from({ length: chunks }, (_, i) =>
        createHash('sha256')
          .update(data.subarray(i * MiB, Math.min(volume, (i + 1) * MiB)))
          .digest(),
      );
      const digestFile = join(lab.dir, 'b-baysync-copy/state/copy-digest.bin');
      /** Chunks B's digest records with the new data: written, fsynced and read back. */
      const fresh = (): number => {
        let d: ReturnType<typeof parseDigest>['digest'];
        try {
          d = parseDigest(readFileSync(digestFile), { volumeBytes: volume, chunkBytes: MiB }).digest;
        } catch {
          return 0;
        }
        return want.filter((h, i) => d?.get(i)?.equals(h)).length;
      };
      const sender = spawn('ip', ['netns', 'exec', lab.ns('a'), process.execPath, mainJs, '-c', cfgA, 'copy', 'send'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let said = '';
      sender.stdout?.on('data', (d) => (said += d));
      sender.stderr?.on('data', (d) => (said += d));
      const ended = new Promise((r) => sender.on('close', r));
      // Once B has committed a few batches of the new data, cut the link: kill B's receiver.
      for (let i = 0; i < 5000 && fresh() < 6; i++) await new Promise((r) => setTimeout(r, 2));
      spawnSync('pkill', ['-KILL', '-f', `${lab.bCopyConfig} copy receive`]);
      expect(await ended, said).toBe(1);
      expect(said).toMatch(/the link to root@10\.77\.0\.2:22 failed/);
      const committed = fresh();
      expect(committed).toBeGreaterThanOrEqual(6);
      expect(committed).toBeLessThan(chunks);
      const resumed = send();
      expect(resumed.status).toBe(0);
      expect((resumed.out.sent as { chunksSent: number }).chunksSent).toBe(chunks - committed);
      expect(sha(tgt)).toBe(sha(src));
    });

    it('a receiver refuses a target smaller than the source, and a mounted one', () => {
      const small = join(lab.dir, 'b-small.img');
      writeFileSync(small, Buffer.alloc(8 * MiB));
      bCopy(`[copy_receive]\ntarget = "${small}"\n`);
      const r = send();
      expect(r.status).toBe(1);
      expect(r.out.refused).toMatch(/fewer than the source's/);
      const img = join(lab.dir, 'b-mounted.img');
      writeFileSync(img, Buffer.alloc(64 * MiB));
      const loop = spawnSync('losetup', ['--find', '--show', '--', img], { encoding: 'utf8' }).stdout.trim();
      const mnt = join(lab.dir, 'b-mnt');
      mkdirSync(mnt);
      try {
        expect(spawnSync('mkfs.ext4', ['-q', '-F', loop]).status).toBe(0);
        expect(spawnSync('mount', [loop, mnt]).status).toBe(0);
        bCopy(`[copy_receive]\ntarget = "${loop}"\n`);
        const m = send();
        expect(m.status).toBe(1);
        expect(m.out.refused).toMatch(/is in use: mounted/);
      } finally {
        spawnSync('umount', [mnt]);
        spawnSync('losetup', ['--detach', loop]);
        bCopy(`[copy_receive]\ntarget = "${tgt}"\nbatch_mib = 1\nfsck = false\n`);
      }
    });

    it('a sender that names another target or command is refused, and nothing is written', () => {
      const before = sha(tgt);
      const planted = join(lab.dir, 'planted');
      const evil = join(lab.dir, 'evil.toml');
      writeFileSync(evil, `[copy_receive]\ntarget = "${planted}"\n`);
      writeFileSync(planted, Buffer.alloc(volume + MiB));
      const plantedBefore = sha(planted);
      for (const command of [`touch ${planted}.pwned`, `baysync -c ${evil} copy receive`]) {
        const r = lab.exec('a', lab.sshToB('copy', command), true);
        expect(r.stdout).toMatch(/^BAYSYNC-COPY\/1 refused /); // the forced command ran, with an empty request
      }
      expect(spawnSync('test', ['-e', `${planted}.pwned`]).status).toBe(1);
      expect(sha(planted)).toBe(plantedBefore);
      expect(sha(tgt)).toBe(before);
      rmSync(planted);
    });

    it("after a verified copy B checks the target's filesystem: a clean pool, then damage in the source reported", () => {
      const tree = join(lab.dir, 'pool-tree');
      mkdirSync(join(tree, 'pc/host1/0'), { recursive: true });
      writeFileSync(join(tree, 'pc/host1/backups'), '0\tfull\t1764644000\n'.repeat(500));
      writeFileSync(join(tree, 'pc/host1/0/attrib'), randomBytes(300_000));
      const img = join(lab.dir, 'a-pool.img');
      const copyImg = join(lab.dir, 'b-pool.img');
      for (const f of [img, copyImg]) spawnSync('truncate', ['-s', '48M', f]);
      expect(spawnSync('mkfs.ext4', ['-q', '-F', '-d', tree, img]).status).toBe(0);
      const cfg = hostConfig(
        lab,
        'a',
        `[copy]\nsource = "${img}"\nchunk_mib = 1\n[copy.receiver]\nhost = "${segB}"\nuser = "root"\nssh_key = "${lab.keys.copy}"\nknown_hosts = "${lab.knownHosts}"\n`,
        'copy-fs',
      );
      bCopy(`[copy_receive]\ntarget = "${copyImg}"\n`);
      try {
        const clean = cli(lab, 'a', cfg, ['copy', 'send', '--json']);
        expect(clean.status, clean.stderr).toBe(0);
        expect(JSON.parse(clean.stdout).result.fsck).toEqual({
          tool: 'e2fsck -fn',
          ok: true,
          detail: 'e2fsck -fn: clean',
        });
        expect(spawnSync('debugfs', ['-w', '-R', 'sif <2> links_count 7', img]).status).toBe(0);
        const damaged = cli(lab, 'a', cfg, ['copy', 'send', '--json']);
        expect(damaged.status).toBe(1);
        const r = JSON.parse(damaged.stdout).result;
        expect(r.ok).toBe(true); // the copy equals the source...
        expect(r.fsck).toMatchObject({ ok: false, detail: expect.stringMatching(/Inode 2 ref count is 7, should be/) });
        const text = cli(lab, 'a', cfg, ['copy', 'send']);
        expect(text.stdout).toMatch(/the target's filesystem: FAILED: e2fsck -fn found damage/);
      } finally {
        bCopy(`[copy_receive]\ntarget = "${tgt}"\nbatch_mib = 1\nfsck = false\n`);
      }
    });

    it('over raw TCP: every chunk signed with the shared key; a stranger and a wrong key are refused', async () => {
      const keyA = join(lab.dir, 'a-copy.key');
      const keyB = join(lab.dir, 'b-copy.key');
      const key = randomBytes(32);
      writeFileSync(keyA, key, { mode: 0o600 });
      writeFileSync(keyB, key, { mode: 0o600 });
      const bCfg = hostConfig(
        lab,
        'b',
        `[copy_receive]\ntarget = "${tgt}"\nfsck = false\nkey_file = "${keyB}"\ntcp_allow = ["${segA}"]\n`,
        'copy-tcp',
      );
      const activate = ['test/helpers/socket-activate.mjs', segB, '8737'];
      lab.start(
        'b',
        [process.execPath, ...activate, process.execPath, mainJs, '-c', bCfg, 'copy', 'receive', '--tcp'],
        'b-copy-socket',
      );
      for (let i = 0; i < 100 && !lab.log('b-copy-socket').includes('listening'); i++)
        await new Promise((r) => setTimeout(r, 50));
      const tcpCfg = (keyFile: string): string =>
        hostConfig(
          lab,
          'a',
          `[copy]\nsource = "${src}"\nchunk_mib = 1\ntransport = "tcp"\nkey_file = "${keyFile}"\n[copy.receiver]\nhost = "${segB}"\n`,
          'copy-tcp',
        );
      writeFileSync(src, realistic(volume));
      const r = cli(lab, 'a', tcpCfg(keyA), ['copy', 'send', '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ result: { ok: true, mac: expect.any(String) } });
      expect(sha(tgt)).toBe(sha(src));
      // Another key: refused before the digest is sent; nothing written.
      const wrong = join(lab.dir, 'a-wrong.key');
      writeFileSync(wrong, randomBytes(32), { mode: 0o600 });
      const before = sha(tgt);
      writeFileSync(src, realistic(volume));
      const w = cli(lab, 'a', tcpCfg(wrong), ['copy', 'send', '--json']);
      expect(w.status).toBe(1);
      expect(JSON.parse(w.stdout).refused).toMatch(/not signed with the shared key/);
      // A peer that B does not allow is refused before a byte is read.
      hostConfig(
        lab,
        'b',
        `[copy_receive]\ntarget = "${tgt}"\nkey_file = "${keyB}"\ntcp_allow = ["10.77.0.99"]\n`,
        'copy-tcp',
      );
      const s2 = cli(lab, 'a', tcpCfg(keyA), ['copy', 'send', '--json']);
      expect(s2.status).toBe(1);
      expect(JSON.parse(s2.stdout).refused).toBe(`${segA} is not in copy_receive.tcp_allow`);
      expect(sha(tgt)).toBe(before);
      // A key that others may read is refused on the sender before it connects.
      chmodSync(keyA, 0o644);
      const loose = cli(lab, 'a', tcpCfg(keyA), ['copy', 'send']);
      expect(loose.stderr).toMatch(/may be read by others \(mode 644\); chmod 600/);
    });
  },
);
