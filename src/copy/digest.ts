// The receiver's digest of its target volume (issue 13): one SHA-256 per chunk, and whether the
// last copy was complete and verified. An entry is set only after its chunk was written and
// fsynced, so after a cut or a crash the digest never claims a chunk the target does not hold;
// a later run sends exactly the chunks whose source hash differs from the digest's (an unknown
// entry, all zeros, never matches). Contract: pure; serialize() and parseDigest() round-trip,
// and parseDigest() rejects a file of another geometry or a damaged one (the run then treats
// every chunk as changed, never as the same).
import { chunkCount, type Geometry, hashBytes, volumeDigest } from './frame.js';

const magic = 'baysync-copy-digest 1';
const unknown = Buffer.alloc(hashBytes);

export interface DigestState {
  /** The target the entries describe (copy_receive.target): a digest of another target is
   *  never used, even of the same size. */
  target?: string;
  /** The copy's snapshot that the entries come from, when a run is under way or done. */
  snapshot?: string;
  /** Set when the run that wrote every entry ended verified; cleared when a run starts. */
  completeAt?: string;
  /** Chunks from this index on may be being written (the sender goes in increasing order): set
   *  before a batch's first write, cleared once the batch is fsynced, read back and recorded. A
   *  digest loaded with it forgets those entries, so a crash mid-batch never leaves an old hash
   *  standing for a chunk that was partly overwritten. */
  writingFrom?: number;
}

export class TargetDigest {
  readonly hashes: Buffer;

  constructor(
    readonly geometry: Geometry,
    public state: DigestState = {},
    hashes?: Buffer,
  ) {
    this.hashes = hashes ?? Buffer.alloc(chunkCount(geometry) * hashBytes);
  }

  get chunks(): number {
    return chunkCount(this.geometry);
  }

  get(index: number): Buffer | undefined {
    const h = this.hashes.subarray(index * hashBytes, (index + 1) * hashBytes);
    return h.equals(unknown) ? undefined : h;
  }

  /** Record chunk `index` as written and fsynced with this hash. */
  set(index: number, hash: Buffer): void {
    if (index < 0 || index >= this.chunks || hash.length !== hashBytes) throw new RangeError(`digest entry ${index}`);
    hash.copy(this.hashes, index * hashBytes);
  }

  /** Whether the target holds chunk `index` with this hash, as far as the digest knows. */
  same(index: number, hash: Buffer): boolean {
    return this.get(index)?.equals(hash) ?? false;
  }

  /** The number of chunks the digest knows. */
  known(): number {
    let n = 0;
    for (let i = 0; i < this.chunks; i++) if (this.get(i)) n++;
    return n;
  }

  /** The whole volume's digest, when every chunk is known. */
  volumeDigest(): Buffer | undefined {
    if (this.known() !== this.chunks) return undefined;
    return volumeDigest(
      this.geometry,
      Array.from({ length: this.chunks }, (_, i) => this.get(i)!),
    );
  }

  serialize(): Buffer {
    const headLine = `${magic} ${JSON.stringify({ ...this.geometry, ...this.state })}\n`;
    return Buffer.concat([Buffer.from(headLine), this.hashes]);
  }
}

/** The digest in a file's bytes, or undefined (with the reason) when it cannot be trusted. */
export function parseDigest(bytes: Buffer, g: Geometry): { digest?: TargetDigest; problem?: string } {
  const nl = bytes.indexOf(10);
  const line = nl > 0 ? bytes.subarray(0, nl).toString('utf8') : '';
  if (!line.startsWith(`${magic} `)) return { problem: 'not a baysync copy digest' };
  let head: Partial<Geometry & DigestState>;
  try {
    head = JSON.parse(line.slice(magic.length + 1)) as Partial<Geometry & DigestState>;
  } catch {
    return { problem: 'its header is damaged' };
  }
  if (head.volumeBytes !== g.volumeBytes || head.chunkBytes !== g.chunkBytes)
    return {
      problem: `it describes ${head.volumeBytes} bytes in chunks of ${head.chunkBytes}, not ${g.volumeBytes} in ${g.chunkBytes}`,
    };
  const hashes = bytes.subarray(nl + 1);
  if (hashes.length !== chunkCount(g) * hashBytes)
    return { problem: `it holds ${hashes.length} bytes of hashes, not ${chunkCount(g) * hashBytes}` };
  const state: DigestState = {};
  if (typeof head.target === 'string') state.target = head.target;
  if (typeof head.snapshot === 'string') state.snapshot = head.snapshot;
  if (typeof head.completeAt === 'string') state.completeAt = head.completeAt;
  const kept = Buffer.from(hashes);
  if (head.writingFrom !== undefined) {
    if (!Number.isSafeInteger(head.writingFrom) || head.writingFrom < 0) return { problem: 'its header is damaged' };
    kept.fill(0, Math.min(head.writingFrom, chunkCount(g)) * hashBytes);
  }
  return { digest: new TargetDigest(g, state, kept) };
}

/** The geometry a digest file's header names, to read it without a sender's request. */
export function digestHeadGeometry(bytes: Buffer): Geometry | undefined {
  const nl = bytes.indexOf(10);
  const line = nl > 0 ? bytes.subarray(0, nl).toString('utf8') : '';
  if (!line.startsWith(`${magic} `)) return undefined;
  try {
    const h = JSON.parse(line.slice(magic.length + 1)) as Partial<Geometry>;
    return Number.isSafeInteger(h.volumeBytes) && Number.isSafeInteger(h.chunkBytes) && (h.chunkBytes ?? 0) > 0
      ? { volumeBytes: h.volumeBytes!, chunkBytes: h.chunkBytes! }
      : undefined;
  } catch {
    return undefined;
  }
}
