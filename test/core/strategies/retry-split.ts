/**
 * The [good, broken, good] retry check of issue 11, shared by every strategy's
 * tests: a Pool over three real backends, one of which fails every attempt,
 * driven by a small pure retry loop shaped like the proxy's (pick with the
 * ids already tried excluded until a good backend answers, at most 3 tries).
 * No health checks, so only the strategy's handling of `exclude` keeps the
 * split even and the broken backend from being tried first more than its
 * third.
 */
import { expect } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { Pool } from '../../../core/strategies/pool';
import { getStrategy } from '../../../core/strategies/registry';
import type { PickRequest, StrategyDeps } from '../../../core/strategies/types';

export const POSITIONS = [0, 1, 2] as const;
const MAX_ATTEMPTS = 3;

export interface RetrySplit {
  /** Requests answered, by backend name. */
  served: Record<string, number>;
  /** Requests whose first attempt went to the broken backend. */
  brokenFirst: number;
  /** Requests left without an answer (no backend, or every try failed). */
  unserved: number;
}

export interface RetryRun {
  strategy: string;
  options?: unknown;
  /** Where the broken backend sits in [b0, b1, b2]. */
  brokenAt: number;
  requests: readonly PickRequest[];
  deps: StrategyDeps;
  /** Called after each attempt, with the clock's time; peak-EWMA feeds latencies and failures here. */
  attempted?(backend: Backend, ok: boolean): void;
}

/** Backends b0 b1 b2, weight 1, health unknown (so available), no backups. */
export function trio(): Backend[] {
  return [0, 1, 2].map((i) => new Backend({ url: `http://127.0.0.1:${4001 + i}`, name: `b${i}`, weight: 1, state: 'active', backup: false }, `b${i}`));
}

export function runRetries(run: RetryRun): RetrySplit {
  const list = trio();
  const broken = list[run.brokenAt]!;
  const pool = new Pool<Backend>(getStrategy(run.strategy), run.options ?? {}, run.deps);
  pool.setBackends(list);
  const split: RetrySplit = { served: {}, brokenFirst: 0, unserved: 0 };
  for (const r of run.requests) {
    const tried = new Set<string>();
    let answered = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !answered; attempt++) {
      const b = pool.pick(r, tried);
      if (!b) break;
      if (attempt === 1 && b === broken) split.brokenFirst++;
      answered = b !== broken;
      run.attempted?.(b, answered);
      if (answered) split.served[b.name] = (split.served[b.name] ?? 0) + 1;
      else tried.add(b.id);
    }
    if (!answered) split.unserved++;
  }
  return split;
}

/** The names of the two good backends when the broken one is at `brokenAt`. */
export const goods = (brokenAt: number): string[] => ['b0', 'b1', 'b2'].filter((_, i) => i !== brokenAt);

/** `count` requests from one client with no headers (what the non-hashing strategies see). */
export const sameClient = (count: number): PickRequest[] => Array.from({ length: count }, () => ({ clientAddress: '10.0.0.1', headers: {} }));

/** `count` requests with distinct `x-user` headers, for the hashing strategies (options HASH_ON_USER). */
export const distinctUsers = (count: number): PickRequest[] =>
  Array.from({ length: count }, (_, i) => ({ clientAddress: '10.0.0.1', headers: { 'x-user': `user-${i}` } }));
export const HASH_ON_USER = { hashOn: 'header', key: 'x-user' };

/** nginx's numbers: each good backend exactly half, the broken one tried first exactly a third of the time. */
export function expectExactSplit(split: RetrySplit, brokenAt: number, count: number): void {
  expect(split).toEqual({ served: Object.fromEntries(goods(brokenAt).map((n) => [n, count / 2])), brokenFirst: count / 3, unserved: 0 });
}

/** Each good backend 50% ± `share`, the broken one tried first at most 1/3 + `brokenFirst` of the time, every request served. */
export function expectEvenSplit(split: RetrySplit, brokenAt: number, count: number, tolerance: { share: number; brokenFirst: number }): void {
  expect(split.unserved).toBe(0);
  expect(Object.keys(split.served).sort()).toEqual(goods(brokenAt));
  for (const name of goods(brokenAt)) {
    expect(split.served[name]! / count).toBeGreaterThanOrEqual(0.5 - tolerance.share);
    expect(split.served[name]! / count).toBeLessThanOrEqual(0.5 + tolerance.share);
  }
  expect(split.brokenFirst / count).toBeLessThanOrEqual(1 / 3 + tolerance.brokenFirst);
}
