/**
 * Turns schema failures into lines a person can act on:
 * `services[0].backends[1].url: must be an http(s) URL`.
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

export function formatIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Parses or throws an LbError whose message lists every problem. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode = 'INPUT_INVALID',
  prefix: readonly PropertyKey[] = [],
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = formatIssues(parsed.error, prefix);
  throw new LbError(code, issues.join('; '), issues);
}
