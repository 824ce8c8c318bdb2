// Prune the bundled node modules of what only their authors use: tests, benchmarks, examples,
// docs (pino's index.html loads scripts from the internet), VCS, hook and editor files, type
// declarations and source maps, and the licence files (their texts are in the package's
// copyright file, written before this runs); then the directories left empty. Contract:
// removes below `dir` only.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dirs = new Set([
  'test',
  'tests',
  '__tests__',
  'benchmarks',
  'bench',
  'example',
  'examples',
  'docs',
  '.github',
  '.husky',
]);
const files = [
  /\.md$/i,
  /\.html?$/i,
  /^\.git/,
  /^\.npmignore$/,
  /^\.(eslint|prettier|taprc|editorconfig|nycrc)/,
  /\.ya?ml$/,
  /^tsconfig.*\.json$/,
  /\.d\.[cm]?ts$/,
  /\.map$/,
  /^(licen[cs]e|copying|security|changelog|history|authors|contributing)(\.|$)/i,
];

export function prune(dir: string): number {
  let removed = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (dirs.has(e.name)) {
        rmSync(p, { recursive: true });
        removed++;
      } else removed += prune(p);
    } else if (files.some((re) => re.test(e.name))) {
      rmSync(p);
      removed++;
    }
  }
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
  return removed;
}
