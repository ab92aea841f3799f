/** Checks a service's strategy name and options against the registry, as path-named lines. */
import type { Protocol } from '../model/spec';
import { formatIssues, safeParseWithHints } from '../model/validate';
import { findStrategy, listStrategies } from '../strategies/registry';

export function strategyOptionIssues(name: string, options: unknown, protocol: Protocol, prefix: string): string[] {
  const def = findStrategy(name);
  if (!def) {
    const known = listStrategies().map((d) => d.name).join(', ');
    return [`${prefix}.strategy: unknown strategy "${name}" (known: ${known})`];
  }
  if (protocol === 'tcp' && !def.layer4) {
    return [`${prefix}.strategy: "${name}" does not apply to tcp services`];
  }
  const parsed = safeParseWithHints(def.options, options ?? {});
  return parsed.success ? [] : formatIssues(parsed.error, ['strategyOptions']).map((line) => `${prefix}.${line}`);
}
