/**
 * The strategy interface: a small synchronous picker. A strategy never awaits
 * between reading and updating its state, and asks each backend only whether
 * it is available (plus weight, in-flight count and latency estimate). It
 * always gets the one list it was refreshed with; a retry names the backends
 * already tried in `exclude` rather than passing a shorter list, so indices,
 * rotations and tables keep their meaning.
 */
import type { z } from 'zod';
import type { Pickable } from '../model/backend';
import type { PickTrace } from './reason';

/** What a strategy may key on. TCP services pass only the client address. */
export interface PickRequest {
  clientAddress: string;
  /** Lower-cased header names, as Node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Clock and randomness are passed in, so picks are testable deterministically. */
export interface StrategyDeps {
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export interface Strategy {
  /**
   * The chosen backend, or undefined when none is available (the proxy answers
   * 503). `backends` is always the list of the last refresh (the pool's
   * primaries or its backups); a backend whose id is in `exclude` (tried by
   * this request already) is skipped exactly like an unavailable one.
   * `trace` is given only for a sampled request: the strategy then records
   * its reason there (reason.ts); without one it allocates nothing for it.
   */
  pick<B extends Pickable>(backends: readonly B[], req: PickRequest, exclude: ReadonlySet<string>, trace?: PickTrace): B | undefined;
  /** Called when membership or weights change, before the next pick, to precompute (rings, tables). */
  refresh?(backends: readonly Pickable[]): void;
  /**
   * A copy with the same state (round-robin's rotation, the smooth weights),
   * for previewing the next picks: picking from the copy consumes nothing of
   * the original. Only deterministic strategies have one.
   */
  copy?(): Strategy;
}

/** A strategy parameter, described for the UI. */
export interface StrategyParam {
  name: string;
  label: string;
  type: 'enum' | 'string' | 'number';
  choices?: readonly string[];
  default?: string | number;
  description: string;
}

export interface StrategyDefinition<O = unknown> {
  name: string;
  label: string;
  /** One line, shown under the picker. */
  description: string;
  /** When to choose it, for the README and tooltips. */
  whenToUse: string;
  /** Meaningful per TCP connection (layer 4) as well as per HTTP request. */
  layer4: boolean;
  /** Whether backend weights shape the split (default true); the UI's "expected share" follows it. */
  weighted?: boolean;
  params: readonly StrategyParam[];
  /** Validates options once, when the strategy is created. */
  options: z.ZodType<O>;
  create(options: O, deps: StrategyDeps): Strategy;
}
