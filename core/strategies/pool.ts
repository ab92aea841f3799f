/**
 * The backends of one service and its strategy. Backups serve only when no
 * primary is available: the pool holds two instances of the strategy, made
 * from the same definition and options, one refreshed with the primaries and
 * one with the backups, so each keeps its own rotation, ring or table.
 */
import type { Pickable } from '../model/backend';
import { parseStrategyOptions } from './registry';
import type { PickTrace } from './reason';
import type { PickRequest, Strategy, StrategyDefinition, StrategyDeps } from './types';
import { NOTHING_TRIED } from './usable';

export class Pool<B extends Pickable & { readonly backup: boolean }> {
  private definition: StrategyDefinition;
  private parsedOptions: unknown;
  private primary: Strategy;
  private secondary: Strategy;
  private all: readonly B[] = [];
  private primaries: readonly B[] = [];
  private backups: readonly B[] = [];

  /** Throws LbError CONFIG_INVALID when the options do not fit the strategy. */
  constructor(
    definition: StrategyDefinition,
    options: unknown,
    private readonly deps: StrategyDeps,
  ) {
    this.parsedOptions = parseStrategyOptions(definition, options);
    this.definition = definition;
    this.primary = definition.create(this.parsedOptions, deps);
    this.secondary = definition.create(this.parsedOptions, deps);
  }

  get strategyName(): string {
    return this.definition.name;
  }

  /** The options as validated, defaults filled in. */
  get strategyOptions(): unknown {
    return this.parsedOptions;
  }

  get backends(): readonly B[] {
    return this.all;
  }

  /** Replaces the membership (the list is copied). */
  setBackends(backends: readonly B[]): void {
    this.all = [...backends];
    this.refresh();
  }

  /** Regroups and re-precomputes after weights or backup flags changed. */
  refresh(): void {
    this.primaries = this.all.filter((b) => !b.backup);
    this.backups = this.all.filter((b) => b.backup);
    this.primary.refresh?.(this.primaries);
    this.secondary.refresh?.(this.backups);
  }

  /** Switches strategy live. Invalid options throw CONFIG_INVALID and leave the current strategy in place. */
  setStrategy(definition: StrategyDefinition, options: unknown): void {
    const parsed = parseStrategyOptions(definition, options);
    const primary = definition.create(parsed, this.deps);
    const secondary = definition.create(parsed, this.deps);
    this.definition = definition;
    this.parsedOptions = parsed;
    this.primary = primary;
    this.secondary = secondary;
    this.refresh();
  }

  /**
   * An available backend not in `exclude` (the ids a retry already tried), or
   * undefined. Backups are used only when no primary is available at all; a
   * retry whose available primaries were all tried does not spill onto them.
   * The strategy always gets its whole group with `exclude` beside it, never a
   * shortened copy, so a retry keeps every backend's place in its rotation.
   */
  pick(req: PickRequest, exclude: ReadonlySet<string> = NOTHING_TRIED, trace?: PickTrace): B | undefined {
    const chosen = this.pickFrom(this.primary, this.primaries, req, exclude, trace);
    if (chosen || this.backups.length === 0) return chosen;
    if (exclude.size > 0 && this.primaries.some((b) => b.available())) return undefined;
    if (trace) trace.backups = true;
    return this.pickFrom(this.secondary, this.backups, req, exclude, trace);
  }

  /**
   * The next `count` picks of a deterministic strategy (round robin, weighted
   * round robin) for a plain first attempt, made on a copy of its state so
   * nothing is consumed; undefined for a strategy without a copy. Backups
   * stand in when no primary is available, as in `pick`.
   */
  preview(count: number, req: PickRequest): B[] | undefined {
    const primaryUp = this.primaries.some((b) => b.available());
    const [strategy, group] = primaryUp || this.backups.length === 0 ? [this.primary, this.primaries] : [this.secondary, this.backups];
    const copy = strategy.copy?.();
    if (!copy) return undefined;
    const out: B[] = [];
    for (let i = 0; i < count; i++) {
      const b = group.length === 0 ? undefined : copy.pick(group, req, NOTHING_TRIED);
      if (!b) break;
      out.push(b);
    }
    return out;
  }

  private pickFrom(strategy: Strategy, group: readonly B[], req: PickRequest, exclude: ReadonlySet<string>, trace: PickTrace | undefined): B | undefined {
    return group.length === 0 ? undefined : strategy.pick(group, req, exclude, trace);
  }
}
