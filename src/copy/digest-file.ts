// The receiver's digest on disk (issue 13): loaded for the geometry the sender asks for, saved
// atomically (a crash leaves the old file or the new one). Contract: a missing file, a damaged
// one, one of another geometry or of another target (copy_receive.target changed) gives an empty digest (every chunk is sent again) and says why;
// it never throws for what it reads, only for what it cannot write.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import { parseDigest, TargetDigest } from './digest.js';
import type { Geometry } from './frame.js';

export function loadDigestFile(path: string, g: Geometry, target: string): { digest: TargetDigest; problem?: string } {
  const fresh = (): TargetDigest => new TargetDigest(g, { target });
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { digest: fresh(), ...(code === 'ENOENT' ? {} : { problem: `${path}: ${code}` }) };
  }
  const r = parseDigest(bytes, g);
  if (!r.digest) return { digest: fresh(), problem: `${path}: ${r.problem}` };
  if (r.digest.state.target !== target)
    return {
      digest: fresh(),
      problem: `${path} describes ${r.digest.state.target ?? 'an unnamed target'}, not ${target}`,
    };
  return { digest: r.digest };
}

export function saveDigestFile(path: string, d: TargetDigest): void {
  writeFileAtomic(path, d.serialize(), 0o600);
}
