/**
 * Turns schema failures into lines a person can act on:
 * `services[0].backends[1].url: must be an http(s) URL`, and for a key no
 * schema knows (every object is strict), one line per key with the key
 * probably meant: `services[0].helthCheck: unknown key (did you mean healthCheck?)`.
 */
import type { z } from 'zod';
import { LbError, type ErrorCode } from './errors';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * The parse-time error map that words unknown keys. It sees the strict object
 * that refused them, so it knows the keys allowed there; the message holds one
 * hint per key, in the issue's key order, one per line (formatIssues splits it).
 */
const unknownKeysMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  if (!shape) return undefined;
  const known = Object.keys(shape);
  return issue.keys.map((key) => unknownKeyHint(key, known)).join('\n');
};

/** `schema.safeParse` with unknown keys worded by `unknownKeysMap`: use it wherever the issues reach a person. */
export function safeParseWithHints<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(value, { error: unknownKeysMap }) as z.ZodSafeParseResult<z.output<S>>;
}

export function formatIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // One line per key. Without the hints (a plain safeParse), each line still names its key.
      const hints = issue.message.split('\n');
      const worded = hints.length === issue.keys.length && hints.every((h) => h.startsWith('unknown key'));
      return issue.keys.map((key, i) => `${formatPath([...prefix, ...issue.path, key])}: ${worded ? hints[i] : 'unknown key'}`);
    }
    const path = formatPath([...prefix, ...issue.path]);
    return [path ? `${path}: ${issue.message}` : issue.message];
  });
}

/** Parses or throws an LbError whose message lists every problem. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode = 'INPUT_INVALID',
  prefix: readonly PropertyKey[] = [],
): z.infer<S> {
  const parsed = safeParseWithHints(schema, value);
  if (parsed.success) return parsed.data;
  const issues = formatIssues(parsed.error, prefix);
  throw new LbError(code, issues.join('; '), issues);
}

/**
 * What to say about an unknown key: the known key it is probably a typo of
 * (closest by edit distance, when close enough), else the keys allowed there.
 */
export function unknownKeyHint(key: string, known: readonly string[]): string {
  if (known.length === 0) return 'unknown key (no keys are allowed here)';
  const meant = closestKey(key, known);
  return meant ? `unknown key (did you mean ${meant}?)` : `unknown key (known keys: ${known.join(', ')})`;
}

/**
 * The known key nearest to `key`, or undefined when none is near: case is
 * ignored, and at most a third of the longer word may differ (at least one
 * edit), so `wieght` finds weight and `ms` does not find `to`.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(key.length, candidate.length) / 3));
    if (d <= allowed && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
