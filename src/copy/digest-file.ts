// The receiver's digest on disk (issue 13): loaded for the geometry the sender asks for, saved
// atomically (a crash leaves the old file or the new one). Contract: a missing file, a damaged
// one or one of another geometry gives an empty digest (every chunk is sent again) and says why;
// it never throws for what it reads, only for what it cannot write.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import { parseDigest, TargetDigest } from './digest.js';
import type { Geometry } from './frame.js';

export function loadDigestFile(path: string, g: Geometry): { digest: TargetDigest; problem?: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { digest: new TargetDigest(g), ...(code === 'ENOENT' ? {} : { problem: `${path}: ${code}` }) };
  }
  const r = parseDigest(bytes, g);
  return r.digest ? { digest: r.digest } : { digest: new TargetDigest(g), problem: `${path}: ${r.problem}` };
}

export function saveDigestFile(path: string, d: TargetDigest): void {
  writeFileAtomic(path, d.serialize(), 0o600);
}
