/**
 * The strategies by name, with the metadata a UI shows, and the one place
 * where strategy options are validated (when a strategy is created, never on
 * a pick). Problems are reported with the option's path:
 * `strategyOptions.key: required when hashOn is "header"`.
 */
import type { StrategyInfo } from '../contract/commands';
import { LbError } from '../model/errors';
import { parseOrThrow } from '../model/validate';
import { leastConnections } from './least-connections';
import { maglev } from './maglev';
import { peakEwma } from './peak-ewma';
import { powerOfTwo } from './power-of-two';
import { random } from './random';
import { ringHash } from './ring-hash';
import { roundRobin } from './round-robin';
import type { Strategy, StrategyDefinition, StrategyDeps } from './types';
import { weightedRoundRobin } from './weighted-round-robin';

const definitions: readonly StrategyDefinition[] = [
  roundRobin,
  weightedRoundRobin,
  leastConnections,
  random,
  powerOfTwo,
  peakEwma,
  ringHash,
  maglev,
];
const byName = new Map(definitions.map((d) => [d.name, d]));

/** The definition named `name`, or undefined. */
export function findStrategy(name: string): StrategyDefinition | undefined {
  return byName.get(name);
}

/** The definition named `name`; CONFIG_INVALID naming the known ones otherwise. */
export function getStrategy(name: string): StrategyDefinition {
  const def = byName.get(name);
  if (!def) {
    throw new LbError('CONFIG_INVALID', `unknown strategy "${name}"; known strategies: ${definitions.map((d) => d.name).join(', ')}`);
  }
  return def;
}

export function listStrategies(): readonly StrategyDefinition[] {
  return definitions;
}

/** Validates options for `definition` (undefined means none); CONFIG_INVALID with `strategyOptions.<path>: problem` lines. */
export function parseStrategyOptions<O>(definition: StrategyDefinition<O>, options: unknown): O {
  return parseOrThrow(definition.options, options ?? {}, 'CONFIG_INVALID', ['strategyOptions']) as O;
}

export function createStrategy(name: string, options: unknown, deps: StrategyDeps): Strategy {
  const def = getStrategy(name);
  return def.create(parseStrategyOptions(def, options), deps);
}

/** What the UI shows for each strategy, in display order. */
export function strategyInfo(): StrategyInfo[] {
  return definitions.map(({ name, label, description, whenToUse, layer4, weighted, params }) => ({ name, label, description, whenToUse, layer4, weighted: weighted ?? true, params }));
}
