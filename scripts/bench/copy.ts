// `npm run bench`, the snapshot copy's first figures (issue 13): the throughput of the hash
// candidates for the chunk hashes and the digest, and of the framing (encode and verified
// decode) with the chosen one, on 4 MiB chunks of random data in memory. The transfer figures
// side by side with the seed's dd pipes come with the sender and receiver.
// Contract: returns the lines to print; pure CPU work, no I/O.
import { createHash, randomBytes } from 'node:crypto';
import { FrameDecoder, FrameEncoder, sha256 } from '../../src/copy/frame.js';

const chunkBytes = 4 * 1024 * 1024;
const totalMiB = Number(process.env.BENCH_COPY_MIB ?? 512);
const candidates = ['sha256', 'sha512-256', 'sha1', 'md5', 'blake2b512', 'blake2s256'];

function mibPerSecond(bytes: number, ms: number): string {
  return `${((bytes / 1024 / 1024) * (1000 / ms)).toFixed(0)} MiB/s`;
}

export function copyFigures(): string[] {
  const chunk = randomBytes(chunkBytes);
  const n = Math.max(1, Math.floor((totalMiB * 1024 * 1024) / chunkBytes));
  const rates = candidates.map((alg) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) createHash(alg).update(chunk).digest();
    return `${alg} ${mibPerSecond(n * chunkBytes, performance.now() - t)}`;
  });
  const s = { volumeBytes: n * chunkBytes, chunkBytes, nonce: randomBytes(16) };
  const enc = new FrameEncoder(s);
  const dec = new FrameDecoder(s);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const [head, data] = enc.chunk(i, chunk, sha256(chunk));
    dec.push(head);
    for (let at = 0; at < data.length; at += 256 * 1024) dec.push(data.subarray(at, at + 256 * 1024));
  }
  const framing = mibPerSecond(n * chunkBytes, performance.now() - t);
  return [
    `copy chunk hashes over ${n * 4} MiB in 4 MiB chunks (one core): ${rates.join(', ')}`,
    `copy framing, sha256 hashed by the sender and again by the receiver, 256 KiB reads: ${framing} (one core, both ends in one process)`,
  ];
}
