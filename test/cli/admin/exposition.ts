/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests:
 * it throws on anything the format does not allow (a sample before its TYPE,
 * a family split in two, a second TYPE, a bad name, a bad escape, a duplicate
 * label set, a histogram whose buckets go down or whose +Inf is not its
 * count) and returns the families with their samples.
 */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : `\\${c}`));
}

function parseSample(line: string): ParsedSample {
  const m = NAME.exec(line);
  if (!m) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
  const name = m[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const l = LABEL.exec(rest);
      if (!l) throw new Error(`bad label name in ${JSON.stringify(line)}`);
      rest = rest.slice(l[0].length);
      if (!rest.startsWith('="')) throw new Error(`expected =" in ${JSON.stringify(line)}`);
      rest = rest.slice(2);
      let value = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === '\n') throw new Error('raw line feed in a label value');
        if (c === '\\') {
          const e = rest[0];
          rest = rest.slice(1);
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new Error(`bad escape \\${e} in ${JSON.stringify(line)}`);
        } else value += c;
      }
      if (l[0] in labels) throw new Error(`label ${l[0]} twice in ${JSON.stringify(line)}`);
      labels[l[0]] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`expected , or } in ${JSON.stringify(line)}`);
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || parts.length < 1 || parts.length > 2) throw new Error(`bad sample line ${JSON.stringify(line)}`);
  return { name, labels, value: parseValue(parts[0]!) };
}

function familyOf(sampleName: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const f = families.get(sampleName.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the last line must end with a line feed');
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: ParsedFamily | undefined;
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new Error(`bad name in ${JSON.stringify(line)}`);
      if (closed.has(name)) throw new Error(`family ${name} is not one uninterrupted group`);
      if (current && current.name !== name) closed.add(current.name);
      let f = families.get(name);
      if (!f) {
        f = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, f);
      }
      if (f.samples.length > 0) throw new Error(`${kind} for ${name} after its samples`);
      if (kind === 'TYPE') {
        if (f.type !== 'untyped') throw new Error(`second TYPE for ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type ${rest}`);
        f.type = rest;
      } else f.help = unescapeHelp(rest);
      current = f;
      continue;
    }
    const s = parseSample(line);
    const f = familyOf(s.name, families);
    if (!f) throw new Error(`sample ${s.name} has no TYPE before it`);
    if (current !== f) throw new Error(`sample ${s.name} outside its family's group`);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate sample ${key}`);
    seen.add(key);
    f.samples.push(s);
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The label set without `le`, as a key. */
export function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const key = seriesKey(s.labels);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${f.name}_bucket without le`);
      entry.buckets.push([parseValue(s.labels.le), s.value]);
    } else if (s.name === `${f.name}_sum`) entry.sum = s.value;
    else if (s.name === `${f.name}_count`) entry.count = s.value;
    else throw new Error(`unexpected sample ${s.name} in histogram ${f.name}`);
  }
  for (const [key, e] of series) {
    if (e.count === undefined || e.sum === undefined) throw new Error(`${f.name}${key}: no _sum or _count`);
    const last = e.buckets[e.buckets.length - 1];
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: the last bucket is not +Inf`);
    if (last[1] !== e.count) throw new Error(`${f.name}${key}: +Inf bucket ${last[1]} is not _count ${e.count}`);
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]![0] > e.buckets[i - 1]![0])) throw new Error(`${f.name}${key}: bucket bounds not increasing`);
      if (e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new Error(`${f.name}${key}: bucket counts decrease`);
    }
  }
}

/** The value of the one sample of `name` with exactly these labels (le included for buckets). */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const f of families.values()) {
    for (const s of f.samples) if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want) return s.value;
  }
  return undefined;
}
