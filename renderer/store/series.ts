/**
 * Chart series derived from stats snapshots, one row per tick. Rows are built
 * once when the tick arrives (not on render) and keyed by backend id, since
 * names such as `127.0.0.1:3001` would be read as paths by chart libraries.
 */
import type { ServiceSnapshot } from '../../core/contract';
import { pushBounded, SHARE_WINDOW_TICKS } from './ring';

export interface TickRow {
  tick: number;
  /** Wall-clock ms at the end of the tick: the charts' time axis. */
  at: number;
  /** Requests per second, by backend id. */
  rps: Record<string, number>;
  /** Latency percentiles in ms by backend id; null when nothing ended in the tick. */
  p50: Record<string, number | null>;
  p99: Record<string, number | null>;
  /** Responses per second by status class, plus failed attempts without a response. */
  status: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number; errors: number };
  /** Bytes per second from clients (in) and to them (out), the service's total. */
  bytes: { in: number; out: number };
}

/** A backend that has data somewhere in the retained window. */
export interface SeriesKey {
  id: string;
  name: string;
}

export interface DistributionRow {
  id: string;
  name: string;
  /** Share of requests over the last SHARE_WINDOW_TICKS ticks, 0..1. */
  share: number;
  /** What the weights imply among available backends, 0..1. */
  expected: number;
}

export interface ServiceHistory {
  rows: TickRow[];
  keys: SeriesKey[];
  distribution: DistributionRow[];
}

export const emptyHistory: ServiceHistory = { rows: [], keys: [], distribution: [] };

export function tickRow(tick: number, at: number, intervalMs: number, svc: ServiceSnapshot): TickRow {
  const perSecond = 1000 / Math.max(1, intervalMs);
  const rps: TickRow['rps'] = {};
  const p50: TickRow['p50'] = {};
  const p99: TickRow['p99'] = {};
  for (const b of svc.backends) {
    rps[b.id] = b.rps;
    p50[b.id] = b.latency ? b.latency.p50 : null;
    p99[b.id] = b.latency ? b.latency.p99 : null;
  }
  const e = svc.errors;
  const rate = (n: number) => Math.round(n * perSecond * 100) / 100;
  return {
    tick,
    at,
    rps,
    p50,
    p99,
    status: {
      '1xx': rate(svc.status['1xx']),
      '2xx': rate(svc.status['2xx']),
      '3xx': rate(svc.status['3xx']),
      '4xx': rate(svc.status['4xx']),
      '5xx': rate(svc.status['5xx']),
      errors: rate(e.refused + e.reset + e.timeout + e.other),
    },
    bytes: { in: rate(svc.bytesIn), out: rate(svc.bytesOut) },
  };
}

/** The history with one more tick: a new row, the keys still in the window, the windowed distribution. */
export function appendTick(
  prev: ServiceHistory,
  tick: number,
  at: number,
  intervalMs: number,
  svc: ServiceSnapshot,
  capacity: number,
): ServiceHistory {
  const rows = pushBounded(prev.rows, tickRow(tick, at, intervalMs, svc), capacity);

  const keys: SeriesKey[] = svc.backends.map((b) => ({ id: b.id, name: b.name }));
  const current = new Set(keys.map((k) => k.id));
  for (const k of prev.keys) {
    if (!current.has(k.id) && rows.some((r) => k.id in r.rps)) keys.push(k);
  }

  const recent = rows.slice(-SHARE_WINDOW_TICKS);
  const sums = new Map<string, number>();
  let total = 0;
  for (const r of recent) {
    for (const b of svc.backends) {
      const v = r.rps[b.id] ?? 0;
      sums.set(b.id, (sums.get(b.id) ?? 0) + v);
      total += v;
    }
  }
  const distribution = svc.backends.map((b) => ({
    id: b.id,
    name: b.name,
    share: total > 0 ? (sums.get(b.id) ?? 0) / total : 0,
    expected: b.expectedShare,
  }));

  return { rows, keys, distribution };
}
