// The receiver's digest on disk (issue 13): read for the geometry the sender asks for (or, for
// copy promote, the one its header names), saved atomically (a crash leaves the old file or the
// new one). Contract: a missing file, a damaged one, one of another geometry or of another
// target (copy_receive.target changed) is never used, and the reason is given; reading never
// throws, only a write that fails does.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import { digestHeadGeometry, parseDigest, TargetDigest } from './digest.js';
import type { Geometry } from './frame.js';

/** The digest kept for `target`, read with the geometry `g` (the sender's request) or, without
 *  one, the geometry its own header names (copy promote); or why it cannot be used. */
export function readDigestFile(
  path: string,
  target: string,
  g?: Geometry,
): { digest?: TargetDigest; problem?: string; missing?: true } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { missing: true, problem: `${path}: ENOENT` } : { problem: `${path}: ${code}` };
  }
  const geometry = g ?? digestHeadGeometry(bytes);
  const r = geometry ? parseDigest(bytes, geometry) : { problem: 'not a baysync copy digest' };
  if (!r.digest) return { problem: `${path}: ${r.problem}` };
  if (r.digest.state.target !== target)
    return { problem: `${path} describes ${r.digest.state.target ?? 'an unnamed target'}, not ${target}` };
  return { digest: r.digest };
}

export function loadDigestFile(path: string, g: Geometry, target: string): { digest: TargetDigest; problem?: string } {
  const r = readDigestFile(path, target, g);
  if (r.digest) return { digest: r.digest };
  return { digest: new TargetDigest(g, { target }), ...(r.missing ? {} : { problem: r.problem }) };
}

export function saveDigestFile(path: string, d: TargetDigest): void {
  writeFileAtomic(path, d.serialize(), 0o600);
}
