/**
 * One row of a comparison: what one strategy did with the scenario's
 * traffic, the same shape whether simulated or run on real sockets, and
 * exactly what `lbw compare --json` prints (an array of these).
 *
 * - `requests`: client requests sent; `failed`: those whose final answer was
 *   not 2xx/3xx (an error status, a 502/503/504 from the balancer, or a
 *   client timeout); `retries`: attempts beyond each request's first.
 * - `p50`..`max`: client-side latency in ms, retries included.
 * - `share`: per backend, its part of the answers that came from a backend
 *   (answers the balancer made up itself, 502/503, belong to none).
 * - `imbalance`: max over backends of share / ideal share − 1, where the
 *   ideal share is the backend's weight over the sum of all the scenario's
 *   weights at the start. 0 means the split followed the weights exactly;
 *   0.5 means some backend got 1.5 times its part. It is not a score: a
 *   strategy that avoids a slow backend is "imbalanced" on purpose.
 * - `keysMoved` (simulation only, when the load carries keys): the share of
 *   keys that were answered by more than one backend during the run; the
 *   stickiness of a hash strategy.
 */
import type { ErrorData } from '../../model/errors';
import type { Scenario } from './scenario';

export interface CompareRow {
  strategy: string;
  requests: number;
  failed: number;
  retries: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  share: Record<string, number>;
  imbalance: number;
  keysMoved?: number | null;
}

export interface CompareResult {
  scenario: string;
  mode: 'simulated' | 'real';
  seed: number;
  rows: CompareRow[];
}

/** Rounds to `digits` decimals, so results print and compare the same everywhere. */
export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Shares of answers per backend (every scenario backend named, 0 when unused) and the imbalance figure. */
export function sharesOf(scenario: Scenario, answers: Readonly<Record<string, number>>): { share: Record<string, number>; imbalance: number } {
  const total = Object.values(answers).reduce((a, b) => a + b, 0);
  const weights = scenario.backends.reduce((a, b) => a + b.weight, 0);
  const share: Record<string, number> = {};
  let worst = 0;
  for (const b of scenario.backends) {
    const s = total === 0 ? 0 : (answers[b.name] ?? 0) / total;
    share[b.name] = round(s, 4);
    worst = Math.max(worst, s / (b.weight / weights));
  }
  return { share, imbalance: total === 0 ? 0 : round(worst - 1, 3) };
}

/** The comparison runner's state, as `compare:run` and `compare:status` answer it. */
export interface CompareStatus {
  state: 'idle' | 'running';
  /** A run on real sockets under way: its scenario, the strategy it is on (index from 0) and how many there are. */
  progress: { scenario: string; strategy: string; index: number; total: number; durationMs: number; startedAt: number } | null;
  /** The last comparison that finished, simulated or real. */
  result: CompareResult | null;
  /** Why the last real run failed, when it did. */
  error: ErrorData | null;
}

/** A built-in scenario as the UI lists it: the scenario itself (JSON) and what it teaches. */
export interface BuiltinScenarioInfo {
  name: string;
  description: string;
  lookFor: string;
  scenario: unknown;
}
