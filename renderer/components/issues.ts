/**
 * zod issues as short messages for a form field. The core's schemas carry
 * their own messages for rules people break on purpose ("must start with
 * /"); type and range issues get wording that reads next to a number input.
 */

/** The part of a zod issue this reads (zod 4's issue union, loosely). */
export interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  expected?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: boolean;
  origin?: string;
}

export function issueText(issue: IssueLike): string {
  if (issue.code === 'invalid_type') {
    if (/received (undefined|NaN)$/.test(issue.message)) return issue.expected === 'number' || issue.expected === 'int' ? 'enter a number' : 'required';
    if (issue.expected === 'int') return 'must be a whole number';
    return issue.message;
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1 && issue.message.startsWith('Too small')) return 'required';
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') {
    return issue.message.startsWith('Too small') ? (issue.inclusive === false ? `must be more than ${issue.minimum}` : `must be at least ${issue.minimum}`) : issue.message;
  }
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    const unit = issue.origin === 'string' ? ' characters' : '';
    return issue.message.startsWith('Too big') ? `must be at most ${issue.maximum}${unit}` : issue.message;
  }
  return issue.message;
}

/** First message per field: the issue path joined with dots (`requests.0.path`), below `prefix`. */
export function issuesByPath(issues: readonly IssueLike[], prefix: readonly PropertyKey[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    if (!prefix.every((p, i) => issue.path[i] === p)) continue;
    const key = issue.path.slice(prefix.length).map(String).join('.');
    out[key] ??= issueText(issue);
  }
  return out;
}

/** A number typed in a field: empty is undefined (so a default applies, or "enter a number"). */
export function numberOf(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}
