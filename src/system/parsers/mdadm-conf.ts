// Pure parser of mdadm.conf ARRAY and PROGRAM lines, for `baysync doctor` (invariant 2, the md event hook). Contract: no I/O;
// handles continuation lines (leading whitespace) and comments; UUIDs normalized.
import { normalizeUuid } from '../../util/names.js';

export interface ArrayLine {
  device: string; // "/dev/md5", "<ignore>", …
  uuid?: string;
  ignore: boolean;
  line: number;
}

/** The logical lines (continuations joined, comments dropped), with the line number they start on. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const logical: Array<{ text: string; line: number }> = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/#.*$/, '');
    if (/^\s/.test(l) && logical.length && l.trim()) logical[logical.length - 1]!.text += ` ${l.trim()}`;
    else if (l.trim()) logical.push({ text: l.trim(), line: i + 1 });
  });
  return logical;
}

/** The program of the PROGRAM line (keywords may be abbreviated to 3 letters), if any. */
export function programOf(text: string): string | undefined {
  for (const { text: t } of logicalLines(text)) {
    const [kw, prog] = t.split(/\s+/);
    const k = (kw ?? '').toUpperCase();
    if (k.length >= 3 && 'PROGRAM'.startsWith(k)) return prog;
  }
  return undefined;
}

export function parseMdadmConf(text: string): ArrayLine[] {
  const out: ArrayLine[] = [];
  for (const { text: t, line } of logicalLines(text)) {
    const words = t.split(/\s+/);
    if (words[0]?.toUpperCase() !== 'ARRAY') continue;
    const device = words[1] ?? '';
    const uuidWord = words.find((w) => /^uuid=/i.test(w));
    let uuid: string | undefined;
    try {
      uuid = uuidWord ? normalizeUuid(uuidWord.slice(5)) : undefined;
    } catch {
      uuid = undefined;
    }
    out.push({ device, uuid, ignore: device === '<ignore>', line });
  }
  return out;
}

/** Invariant 2 for one stripe UUID: ignored explicitly, and not listed as an array to assemble. */
export function stripeIgnoreProblem(lines: ArrayLine[], uuid: string): string | undefined {
  const hits = lines.filter((l) => l.uuid === uuid);
  if (hits.some((l) => !l.ignore)) return `line ${hits.find((l) => !l.ignore)!.line} would assemble it at boot`;
  if (!hits.some((l) => l.ignore)) return 'no `ARRAY <ignore>` line for it';
  return undefined;
}
