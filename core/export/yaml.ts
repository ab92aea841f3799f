/**
 * A small YAML writer for the exporters whose engines read YAML (Envoy,
 * Traefik). The exporters build plain objects and arrays; a comment is a
 * value of its own (`comment('…')`), so a note sits exactly where the thing
 * it explains would be. The output is block style, two spaces per level,
 * strings quoted whenever a plain scalar could be read as something else:
 * deterministic, so golden files compare byte for byte.
 */

/** A comment line (or lines) at its place among a mapping's keys or a sequence's items. */
export class YamlComment {
  constructor(readonly text: string) {}
}

export type YamlValue = string | number | boolean | null | YamlComment | YamlValue[] | { [key: string]: YamlValue | undefined };

let commentKeys = 0;

/** Spread into a mapping (`{ a: 1, ...comment('why'), b: 2 }`) to put a comment between its keys. */
export function comment(text: string): Record<string, YamlComment> {
  commentKeys += 1;
  return { [`#${commentKeys}`]: new YamlComment(text) };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// A plain scalar that a YAML reader takes for what it says: no indicator first, no ': ' or ' #' inside.
const PLAIN_STRING = /^[A-Za-z0-9_./][A-Za-z0-9_./:\-+]*$/;
const LOOKS_TYPED = /^(?:true|false|yes|no|on|off|null|~|y|n|[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:e[-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|\.inf|\.nan)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== '' && PLAIN_STRING.test(value) && !LOOKS_TYPED.test(value) && !value.endsWith(':')) return value;
  return JSON.stringify(value);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) && !LOOKS_TYPED.test(k) ? k : JSON.stringify(k);
}

function commentLines(text: string, indent: string): string[] {
  return text.split('\n').map((line) => (line ? `${indent}# ${line}` : `${indent}#`));
}

function isMap(v: YamlValue): v is { [key: string]: YamlValue | undefined } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof YamlComment);
}

/** Entries that carry something (undefined values are left out, so optional fields can be written inline). */
function entries(map: { [key: string]: YamlValue | undefined }): Array<[string, YamlValue]> {
  return Object.entries(map).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** Nothing but comments (or nothing at all): written inline as `{}` / `[]`, the comments after it. */
function isEmpty(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.every((x) => x instanceof YamlComment);
  if (isMap(v)) return entries(v).every(([, x]) => x instanceof YamlComment);
  return false;
}

function onlyComments(v: YamlValue): YamlComment[] {
  if (Array.isArray(v)) return v.filter((x): x is YamlComment => x instanceof YamlComment);
  if (isMap(v)) return entries(v).flatMap(([, x]) => (x instanceof YamlComment ? [x] : []));
  return [];
}

function block(value: YamlValue, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item instanceof YamlComment) {
        out.push(...commentLines(item.text, indent));
      } else if ((isMap(item) || Array.isArray(item)) && !isEmpty(item)) {
        // The nested block's first key goes after the dash, at the indentation the block already has.
        const inner = block(item, depth + 1);
        const first = inner.findIndex((l) => !l.trimStart().startsWith('#'));
        inner[first] = `${indent}- ${inner[first]!.slice(indent.length + 2)}`;
        // Comments before that key belong to the item: they go at the dash's indentation.
        for (let i = 0; i < first; i++) inner[i] = `${indent}${inner[i]!.slice(indent.length + 2)}`;
        out.push(...inner);
      } else {
        out.push(`${indent}- ${inline(item)}`, ...onlyComments(item).flatMap((c) => commentLines(c.text, `${indent}  `)));
      }
    }
  } else if (isMap(value)) {
    for (const [k, v] of entries(value)) {
      if (v instanceof YamlComment) out.push(...commentLines(v.text, indent));
      else if ((isMap(v) || Array.isArray(v)) && !isEmpty(v)) out.push(`${indent}${key(k)}:`, ...block(v, depth + 1));
      else out.push(`${indent}${key(k)}: ${inline(v)}`, ...onlyComments(v).flatMap((c) => commentLines(c.text, `${indent}  `)));
    }
  }
  return out;
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return '[]';
  if (isMap(v)) return '{}';
  if (v instanceof YamlComment) return '';
  return scalar(v);
}

/** The document as text: the header comment lines, then the value, ending with a newline. */
export function toYaml(value: YamlValue, header: string[] = []): string {
  const lines = [...header.flatMap((h) => commentLines(h, '')), ...block(value, 0)];
  return `${lines.join('\n')}\n`;
}

/** A duration as Envoy reads it (protobuf JSON): `2s`, `0.5s`. */
export function protoDuration(ms: number): string {
  return `${ms / 1000}s`;
}

/** A duration as Go's time.ParseDuration reads it (Traefik): `2s`, `500ms`. */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
