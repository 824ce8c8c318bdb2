// baysync.toml(5), generated from the zod schema: every section and key with its type, limits
// and default as the schema has them (z.toJSONSchema), and what it means (key-docs.ts).
// `npm run man` writes man/baysync.toml.5; a test fails when the page differs from this output
// or when a key lacks its description. Contract: pure.
import { z } from 'zod';
import { keyDocs, sectionDocs } from './key-docs.js';
import { configSchema } from './schema.js';

interface JsonNode {
  type?: string;
  properties?: Record<string, JsonNode>;
  required?: string[];
  items?: JsonNode;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

export interface KeyDoc {
  section: string;
  key: string;
  /** "section.key" ([[sets]] keys as "sets.key"). */
  id: string;
  required: boolean;
  type: string;
  default?: unknown;
}

export interface SectionDoc {
  name: string;
  array: boolean;
  keys: KeyDoc[];
}

const bigInt = Number.MAX_SAFE_INTEGER;

function typeOf(n: JsonNode): string {
  if (n.enum) return `one of ${n.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (n.type === 'array') return `array of ${n.items?.type ?? 'values'}s`;
  const lo = n.minimum ?? (n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : undefined);
  const hi = n.maximum !== undefined && n.maximum < bigInt ? n.maximum : undefined;
  const range =
    lo !== undefined && hi !== undefined
      ? `, ${lo} to ${hi}`
      : lo !== undefined
        ? `, ${typeof lo === 'number' ? `at least ${lo}` : lo}`
        : hi !== undefined
          ? `, at most ${hi}`
          : '';
  return `${n.type ?? 'value'}${range}`;
}

/** The schema's sections and keys, in the schema's order. */
export function configSections(): SectionDoc[] {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
  const out: SectionDoc[] = [];
  const walk = (node: JsonNode, name: string, array: boolean): void => {
    const sec: SectionDoc = { name, array, keys: [] };
    out.push(sec);
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const id = `${name}.${k}`;
      if (v.type === 'object' && v.properties) walk(v, id, false);
      else
        sec.keys.push({
          section: name,
          key: k,
          id,
          required: (node.required ?? []).includes(k),
          type: typeOf(v),
          default: v.default,
        });
    }
  };
  for (const [k, v] of Object.entries(root.properties ?? {})) {
    if (v.type === 'array' && v.items?.properties) walk(v.items, k, true);
    else walk(v, k, false);
  }
  return out.filter((s) => s.keys.length);
}

/** Escape text for roff: backslashes, and a leading dot or quote. */
const roff = (s: string): string =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');

/** When the page's text last changed (mandoc wants a date; a build-time one would make it drift). */
export const pageDate = '2026-12-01';

/** Text lines wrapped to 80 bytes for `mandoc -Tlint`; a wrapped line never starts a request. */
export function wrapRoff(line: string, width = 80): string[] {
  if (/^[.']/.test(line) || Buffer.byteLength(line) <= width) return [line];
  const out: string[] = [];
  let cur = '';
  for (const w of line.split(' ')) {
    const cand = cur ? `${cur} ${w}` : w;
    if (cur && Buffer.byteLength(cand) > width) {
      out.push(cur);
      cur = w;
    } else cur = cand;
  }
  if (cur) out.push(cur);
  return out.map((l) => (/^[.']/.test(l) ? `\\&${l}` : l));
}

export function renderConfigManPage(version: string): string {
  const lines = [
    `.TH BAYSYNC.TOML 5 "${pageDate}" "baysync ${version}" "File Formats"`,
    '.SH NAME',
    'baysync.toml \\- configuration of baysync',
    '.SH DESCRIPTION',
    roff(
      '/etc/baysync/baysync.toml is a TOML file. `baysync config check` validates it; the daemon refuses to start with a bad file and names the key and what was expected. Unknown keys are errors. A commented example is /usr/share/doc/baysync/examples/baysync.toml (rotation) and standby.toml (standby sync and failover).',
    ),
    roff('This page is generated from the schema the daemon validates with, so it lists every key it accepts.'),
  ];
  for (const s of configSections()) {
    lines.push(`.SH ${s.array ? `[[${roff(s.name)}]]` : `[${roff(s.name)}]`}`);
    const doc = sectionDocs[s.name];
    if (doc) lines.push(roff(doc));
    for (const k of s.keys) {
      lines.push('.TP', `.B ${roff(k.key)}`);
      const def =
        k.default !== undefined
          ? `; default ${roff(JSON.stringify(k.default))}`
          : k.required
            ? '; required'
            : '; optional';
      lines.push(`(${roff(k.type)}${def})`, '.br', roff(keyDocs[k.id] ?? ''));
    }
  }
  lines.push('.SH FILES', '.I /etc/baysync/baysync.toml', '.SH SEE ALSO', '.BR baysync (8)', '');
  return lines.flatMap((l) => wrapRoff(l)).join('\n');
}
