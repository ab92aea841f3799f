/**
 * A tiny reader for the YAML the Envoy and Traefik exporters write (block
 * mappings and sequences, `{}` / `[]`, plain and double-quoted scalars,
 * comment lines), so the tests can check the structure without a YAML
 * dependency. It rejects what it does not know, tabs, bad indentation and
 * duplicate keys, so a malformed export fails the test rather than parsing
 * into something else.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  no: number;
}

function scalar(raw: string, no: number): Yaml {
  const s = raw.trim();
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new Error(`line ${no}: bad quoted string ${s}`);
    }
  }
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null' || s === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^[[{&*!|>'%@`]/.test(s) || s.includes(': ') || s.includes(' #')) throw new Error(`line ${no}: "${s}" is not a plain scalar`);
  return s;
}

/** Splits `key: value` / `key:`; the key may be double-quoted. */
function splitKey(text: string, no: number): [string, string | undefined] {
  let key: string;
  let rest: string;
  if (text.startsWith('"')) {
    const end = text.indexOf('":');
    if (end < 0) throw new Error(`line ${no}: bad quoted key`);
    key = JSON.parse(text.slice(0, end + 1)) as string;
    rest = text.slice(end + 2);
  } else {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*):(.*)$/.exec(text);
    if (!m) throw new Error(`line ${no}: expected "key:" in "${text}"`);
    key = m[1]!;
    rest = m[2]!;
  }
  if (rest === '') return [key, undefined];
  if (!rest.startsWith(' ')) throw new Error(`line ${no}: no space after "${key}:"`);
  return [key, rest.slice(1)];
}

function parseBlock(lines: Line[], start: number, indent: number): [Yaml, number] {
  const first = lines[start]!;
  if (first.indent !== indent) throw new Error(`line ${first.no}: indentation ${first.indent}, expected ${indent}`);
  if (first.text.startsWith('- ') || first.text === '-') {
    const out: Yaml[] = [];
    let i = start;
    while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
      const line = lines[i]!;
      const rest = line.text.slice(2);
      if (/^("[^"]*"|[A-Za-z_][A-Za-z0-9_.-]*):( |$)/.test(rest) || rest.startsWith('- ')) {
        // The item is a block whose first line starts after the dash.
        const shifted = [...lines];
        shifted[i] = { indent: indent + 2, text: rest, no: line.no };
        const [value, next] = parseBlock(shifted, i, indent + 2);
        out.push(value);
        i = next;
      } else {
        out.push(scalar(rest, line.no));
        i += 1;
      }
    }
    return [out, i];
  }
  const out: { [key: string]: Yaml } = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    if (line.text.startsWith('- ')) throw new Error(`line ${line.no}: a sequence item inside a mapping`);
    const [key, value] = splitKey(line.text, line.no);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error(`line ${line.no}: duplicate key "${key}"`);
    i += 1;
    if (value !== undefined) out[key] = scalar(value, line.no);
    else if (i < lines.length && lines[i]!.indent > indent) [out[key], i] = parseBlock(lines, i, lines[i]!.indent);
    else out[key] = null;
  }
  if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.no}: unexpected indentation`);
  return [out, i];
}

export function parseYaml(text: string): Yaml {
  if (text.includes('\t')) throw new Error('tabs are not allowed');
  const lines: Line[] = [];
  text.split('\n').forEach((raw, n) => {
    const t = raw.trimEnd();
    if (!t.trim() || t.trim().startsWith('#')) return;
    const indent = t.length - t.trimStart().length;
    if (indent % 2) throw new Error(`line ${n + 1}: odd indentation`);
    lines.push({ indent, text: t.trimStart(), no: n + 1 });
  });
  if (lines.length === 0) return null;
  const [value, end] = parseBlock(lines, 0, 0);
  if (end !== lines.length) throw new Error(`line ${lines[end]!.no}: not part of the document`);
  return value;
}
