// Lint: no module in src/ or scripts/ over 300 lines, the rotation executor under 250 and the
// daemon under 200 (docs/design.md, "The job kernel"). Prints each offender; exit 1 if any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const limits = { 'src/rotation/engine.ts': 250, 'src/daemon/daemon.ts': 200 };
const walk = (d) =>
  readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
const bad = [];
for (const f of ['src', 'scripts'].flatMap(walk).filter((f) => /\.(ts|mjs|js)$/.test(f))) {
  const lines = readFileSync(f, 'utf8').split('\n').length - 1;
  const limit = limits[f] ?? 300;
  if (lines > limit) bad.push(`${f}: ${lines} lines (limit ${limit})`);
}
for (const b of bad) console.log(b);
console.log(bad.length ? `${bad.length} module(s) over their size limit` : 'module sizes: ok');
process.exit(bad.length ? 1 : 0);
