// Versioned JSON records on disk (state.json, realtime.json, failover.json). Contract:
// loadRecord() never throws. A missing file gives the fresh record. A file that does not parse,
// fails its schema, or has a version with no migration (a newer baysync's) is moved aside as
// <file>.corrupt-<time>; the previous good copy (<file>.prev, kept by saveRecord) is then tried,
// and only then the fresh record. Every such fallback comes back with a `problem` that says what
// happened, so the job can repair from what the system shows and tell the operator. An older
// version is migrated step by step (migrations[n] turns version n into n+1) and then validated.
// saveRecord() keeps the current file as <file>.prev (a hard link) and writes atomically.
import { existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

export interface RecordSpec<T extends { version: number }> {
  fresh: () => T;
  schema: z.ZodType<T>;
  /** migrations[n]: version n to n+1. */
  migrations?: Record<number, Migration>;
}

export interface Loaded<T> {
  record: T;
  /** Set when the file could not be used as it was: what was wrong and what was used instead. */
  problem?: string;
  /** Where the record came from. */
  source: 'file' | 'previous' | 'fresh';
}

export const previousPath = (file: string): string => `${file}.prev`;

/** Parse, migrate and validate one file's text; throws with the reason. */
export function parseRecord<T extends { version: number }>(text: string, spec: RecordSpec<T>): T {
  let o = JSON.parse(text) as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not a JSON object');
  const target = spec.fresh().version;
  for (let v = Number(o.version); v !== target; v = Number(o.version)) {
    const step = Number.isInteger(v) && v < target ? spec.migrations?.[v] : undefined;
    if (!step)
      throw new Error(
        v > target
          ? `version ${v} was written by a newer baysync (this one reads up to ${target})`
          : `unknown version ${String(o.version)}`,
      );
    o = { ...step(o), version: v + 1 };
  }
  const r = spec.schema.safeParse(o);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`field ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}

export function loadRecord<T extends { version: number }>(
  file: string,
  spec: RecordSpec<T>,
  now = Date.now(),
): Loaded<T> {
  const prev = previousPath(file);
  let problem: string | undefined;
  if (existsSync(file)) {
    try {
      return { record: parseRecord(readFileSync(file, 'utf8'), spec), source: 'file' };
    } catch (e) {
      const aside = `${file}.corrupt-${now}`;
      renameSync(file, aside);
      problem = `${file} was unusable (${e instanceof Error ? e.message : String(e)}); moved aside to ${aside}`;
    }
  } else if (existsSync(prev)) problem = `${file} is missing`;
  else return { record: spec.fresh(), source: 'fresh' };
  if (existsSync(prev)) {
    try {
      const record = parseRecord(readFileSync(prev, 'utf8'), spec);
      const at = statSync(prev).mtime.toISOString();
      return { record, source: 'previous', problem: `${problem}; using the previous good copy (${prev}, ${at})` };
    } catch (e) {
      problem += `; the previous copy ${prev} is unusable too (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return { record: spec.fresh(), source: 'fresh', problem: `${problem}; starting from a fresh record` };
}

export function saveRecord(file: string, data: unknown, mode = 0o600): void {
  if (existsSync(file)) {
    const prev = previousPath(file);
    try {
      unlinkSync(prev);
    } catch {
      // none yet
    }
    linkSync(file, prev);
  }
  writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, mode);
}
