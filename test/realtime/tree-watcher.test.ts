// The push watcher's directory watches on real inotify: one watch per directory, new
// directories reported with their subtree, removals reported, ignored names left out.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TreeWatcher } from '../../src/realtime/tree-watcher.js';

const until = async (pred: () => boolean): Promise<void> => {
  for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
};

describe('TreeWatcher', () => {
  it('reports changed files, new directories as trees, removals; not the ignored names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tw-'));
    mkdirSync(join(root, 'a'));
    const seen: string[] = [];
    const w = new TreeWatcher(
      root,
      {
        changed: (rel, tree) => seen.push(`${tree ? 'tree' : 'file'} ${rel}`),
        removed: (rel) => seen.push(`gone ${rel}`),
        onError: () => undefined,
      },
      (n) => n === '.partial',
    );
    await w.start();
    try {
      expect(w.watchedDirectories).toBe(2);
      writeFileSync(join(root, 'a', 'f.txt'), 'x');
      await until(() => seen.includes('file a/f.txt'));
      expect(seen).toContain('file a/f.txt');
      mkdirSync(join(root, '.partial'));
      mkdirSync(join(root, 'b'));
      await until(() => seen.includes('tree b'));
      rmSync(join(root, 'a', 'f.txt'));
      await until(() => seen.includes('gone a/f.txt'));
      expect(seen).toContain('tree b');
      expect(seen).toContain('gone a/f.txt');
      expect(seen.some((s) => s.includes('.partial'))).toBe(false);
    } finally {
      w.close();
    }
  });
});
