// Pure parsers of LVM's reports (`lvs`/`vgs --reportformat json --units b --nosuffix`) and of
// `thin_delta -m` (issue 13's snapshot copy). Contract: no I/O; sizes in bytes; an empty field
// is absent, never 0; the report's own error log is returned, so that "no such volume" is a
// reason the operator reads, not an empty list; malformed text throws ParseError.
import { ParseError } from './mdadm-export.js';

/** The columns baysync asks for (`lvs -o LV_FIELDS`); the parser needs no other. */
export const LV_FIELDS =
  'lv_name,vg_name,lv_attr,lv_size,data_percent,metadata_percent,origin,pool_lv,lv_uuid,thin_id,lv_dm_path,lv_tags';

export interface Lv {
  name: string;
  vg: string;
  /** lv_attr, 10 characters: [0] type (s snapshot, o origin, V thin, t thin pool, - plain),
   *  [4] state (a active, I invalid snapshot, - inactive), [5] open (o), [9] k skip activation. */
  attr: string;
  bytes: number;
  /** Snapshots: the copy-on-write space used; thin volumes and pools: the data used. */
  dataPercent?: number;
  metadataPercent?: number;
  origin?: string;
  pool?: string;
  uuid: string;
  thinId?: number;
  dmPath: string;
  tags: string[];
}

export interface LvReport {
  lvs: Lv[];
  /** The report's log entries of type "error", in order ("Volume group "x" not found"). */
  errors: string[];
}

type Row = Record<string, string>;

function report(text: string, what: string, key: string): { rows: Row[]; errors: string[] } {
  let doc: { report?: Array<Record<string, Row[]>>; log?: Row[] };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ParseError(what, `not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(doc.report)) throw new ParseError(what, 'no "report" array');
  const rows = doc.report.flatMap((r) => r[key] ?? []);
  const errors = (doc.log ?? []).filter((l) => l.log_type === 'error').map((l) => l.log_message ?? '');
  return { rows, errors };
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
const text = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

function need(row: Row, k: string, what: string): string {
  const v = row[k];
  if (v === undefined) throw new ParseError(what, `missing ${k}`);
  return v;
}

export function parseLvs(out: string): LvReport {
  const what = 'lvs --reportformat json';
  const { rows, errors } = report(out, what, 'lv');
  const lvs = rows.map((r): Lv => {
    const bytes = Number(need(r, 'lv_size', what));
    if (!Number.isSafeInteger(bytes)) throw new ParseError(what, `lv_size "${r.lv_size}" is not a byte count`);
    const lv: Lv = {
      name: need(r, 'lv_name', what),
      vg: need(r, 'vg_name', what),
      attr: need(r, 'lv_attr', what),
      bytes,
      uuid: need(r, 'lv_uuid', what),
      dmPath: need(r, 'lv_dm_path', what),
      tags: (r.lv_tags ?? '').split(',').filter(Boolean),
    };
    const opt: Partial<Lv> = {
      dataPercent: num(r.data_percent),
      metadataPercent: num(r.metadata_percent),
      origin: text(r.origin),
      pool: text(r.pool_lv),
      thinId: num(r.thin_id),
    };
    for (const [k, v] of Object.entries(opt)) if (v !== undefined) Object.assign(lv, { [k]: v });
    return lv;
  });
  return { lvs, errors };
}

export interface Vg {
  name: string;
  bytes: number;
  freeBytes: number;
  extentBytes: number;
}

export function parseVgs(out: string): { vgs: Vg[]; errors: string[] } {
  const what = 'vgs --reportformat json';
  const { rows, errors } = report(out, what, 'vg');
  return {
    vgs: rows.map((r) => ({
      name: need(r, 'vg_name', what),
      bytes: Number(need(r, 'vg_size', what)),
      freeBytes: Number(need(r, 'vg_free', what)),
      extentBytes: Number(need(r, 'vg_extent_size', what)),
    })),
    errors,
  };
}

export const isSnapshot = (lv: Lv): boolean => lv.attr[0] === 's' || (lv.attr[0] === 'V' && lv.origin !== undefined);
export const isThin = (lv: Lv): boolean => lv.attr[0] === 'V';
export const isActive = (lv: Lv): boolean => lv.attr[4] === 'a';
export const isOpen = (lv: Lv): boolean => lv.attr[5] === 'o';
export const isInvalid = (lv: Lv): boolean => lv.attr[4] === 'I';

/** A byte range of the volume that differs between two thin snapshots. */
export interface Extent {
  offset: number;
  length: number;
}

/**
 * `thin_delta -m --snap1 A --snap2 B` (thin-provisioning-tools): the ranges that differ between
 * two thin devices of one pool, in the pool's data blocks (data_block_size, in 512-byte sectors).
 * "different", "right_only" (written since) and "left_only" (discarded since: it now reads as
 * zeros) are changes; "same" is not, and a range in neither device is zeros in both.
 * Returns the changed ranges in bytes, sorted and merged.
 */
export function parseThinDelta(out: string): { blockBytes: number; changed: Extent[] } {
  const what = 'thin_delta -m';
  const sb = /<superblock\b[^>]*\bdata_block_size="(\d+)"/.exec(out);
  if (!sb) throw new ParseError(what, 'no superblock with a data_block_size');
  if (!/<diff\b[^>]*>/.test(out) || !/<\/diff>/.test(out)) throw new ParseError(what, 'no complete <diff> element');
  const blockBytes = Number(sb[1]) * 512;
  const ranges: Extent[] = [];
  // Both forms: <different begin= length=/> and, with --verbose, <different><range begin= …/>.
  let kind = '';
  for (const m of out.matchAll(/<(\/?)(different|same|left_only|right_only|range)\b([^>]*?)(\/?)>/g)) {
    const [, close, tag, attrs, selfClose] = m;
    if (tag !== 'range') {
      if (close) kind = '';
      else if (!selfClose) kind = tag!;
    }
    const rangeKind = tag === 'range' ? kind : selfClose ? tag : '';
    if (!rangeKind || rangeKind === 'same') continue;
    const begin = /\bbegin="(\d+)"/.exec(attrs!);
    const length = /\blength="(\d+)"/.exec(attrs!);
    if (!begin || !length) throw new ParseError(what, `a ${rangeKind} range without begin and length: ${m[0]}`);
    ranges.push({ offset: Number(begin[1]) * blockBytes, length: Number(length[1]) * blockBytes });
  }
  ranges.sort((a, b) => a.offset - b.offset);
  const changed: Extent[] = [];
  for (const r of ranges) {
    const last = changed.at(-1);
    if (last && last.offset + last.length >= r.offset)
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
    else changed.push({ ...r });
  }
  return { blockBytes, changed };
}
