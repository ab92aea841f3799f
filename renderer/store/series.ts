/**
 * Chart series derived from stats snapshots, one row per tick. Rows are built
 * once when the tick arrives (not on render) as flat objects, so every chart
 * series reads a plain string field (a stable `dataKey` that recharts can
 * cache on) rather than a function made anew on each render. Per-backend
 * fields are named after a slot (`s0:rps`, `s0:p50`...) handed out when the
 * backend first shows up, since backend ids and names such as `#3` or
 * `127.0.0.1:3001` would be read as paths by chart libraries.
 *
 * What does not change from one tick to the next keeps its reference (the
 * keys, an unchanged distribution), so memoized charts and selectors skip it.
 */
import type { ServiceSnapshot } from '../../core/contract';
import { pushBounded, SHARE_WINDOW_TICKS } from './ring';

/** A row's responses per second by status class, and failed attempts without a response. */
export type StatusField = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'errors';

export interface TickRow {
  tick: number;
  /** Wall-clock ms at the end of the tick: the charts' time axis. */
  at: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  errors: number;
  /** Bytes per second from clients (in) and to them (out), the service's total. */
  bytesIn: number;
  bytesOut: number;
  /**
   * Per backend present in the tick, under its key's field names: requests
   * (or connections) per second, and latency percentiles in ms (null when
   * nothing ended in the tick). A backend absent from the tick has no field.
   */
  [field: string]: number | null;
}

/** A backend that has data somewhere in the retained window, and the row fields that hold it. */
export interface SeriesKey {
  id: string;
  name: string;
  rps: string;
  p50: string;
  p99: string;
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
  /** The next slot number to hand out; slots are never reused within a history. */
  nextSlot: number;
}

export const emptyHistory: ServiceHistory = { rows: [], keys: [], distribution: [], nextSlot: 0 };

function seriesKey(id: string, name: string, slot: number): SeriesKey {
  return { id, name, rps: `s${slot}:rps`, p50: `s${slot}:p50`, p99: `s${slot}:p99` };
}

/** The keys after a tick: the tick's backends in its order, then departed ones still in the window. */
function nextKeys(prev: ServiceHistory, svc: ServiceSnapshot, rows: readonly TickRow[]): { keys: SeriesKey[]; nextSlot: number } {
  const byId = new Map(prev.keys.map((k) => [k.id, k]));
  let nextSlot = prev.nextSlot;
  const keys: SeriesKey[] = svc.backends.map((b) => {
    const old = byId.get(b.id);
    if (old && old.name === b.name) return old;
    return old ? { ...old, name: b.name } : seriesKey(b.id, b.name, nextSlot++);
  });
  const current = new Set(svc.backends.map((b) => b.id));
  for (const k of prev.keys) {
    if (!current.has(k.id) && rows.some((r) => k.rps in r)) keys.push(k);
  }
  const same = keys.length === prev.keys.length && keys.every((k, i) => k === prev.keys[i]);
  return { keys: same ? prev.keys : keys, nextSlot };
}

export function tickRow(tick: number, at: number, intervalMs: number, svc: ServiceSnapshot, keys: readonly SeriesKey[]): TickRow {
  const perSecond = 1000 / Math.max(1, intervalMs);
  const rate = (n: number) => Math.round(n * perSecond * 100) / 100;
  const e = svc.errors;
  const row: TickRow = {
    tick,
    at,
    '1xx': rate(svc.status['1xx']),
    '2xx': rate(svc.status['2xx']),
    '3xx': rate(svc.status['3xx']),
    '4xx': rate(svc.status['4xx']),
    '5xx': rate(svc.status['5xx']),
    errors: rate(e.refused + e.reset + e.timeout + e.tls + e.other),
    bytesIn: rate(svc.bytesIn),
    bytesOut: rate(svc.bytesOut),
  };
  const byId = new Map(keys.map((k) => [k.id, k]));
  for (const b of svc.backends) {
    const k = byId.get(b.id);
    if (!k) continue;
    row[k.rps] = b.rps;
    row[k.p50] = b.latency ? b.latency.p50 : null;
    row[k.p99] = b.latency ? b.latency.p99 : null;
  }
  return row;
}

/** The share of each backend over the last SHARE_WINDOW_TICKS rows; `prev` again when nothing changed. */
function nextDistribution(prev: DistributionRow[], rows: readonly TickRow[], keys: readonly SeriesKey[], svc: ServiceSnapshot): DistributionRow[] {
  const recent = rows.slice(-SHARE_WINDOW_TICKS);
  const sums = new Map<string, number>();
  let total = 0;
  for (const b of svc.backends) {
    const field = keys.find((k) => k.id === b.id)?.rps;
    let sum = 0;
    if (field !== undefined) for (const r of recent) sum += r[field] ?? 0;
    sums.set(b.id, sum);
    total += sum;
  }
  const next = svc.backends.map((b) => ({
    id: b.id,
    name: b.name,
    share: total > 0 ? (sums.get(b.id) ?? 0) / total : 0,
    expected: b.expectedShare,
  }));
  const same =
    next.length === prev.length &&
    next.every((d, i) => {
      const p = prev[i]!;
      return p.id === d.id && p.name === d.name && p.share === d.share && p.expected === d.expected;
    });
  return same ? prev : next;
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
  // Keys for the tick's backends first (a new backend needs its fields before its row is built)...
  const first = nextKeys(prev, svc, prev.rows);
  const rows = pushBounded(prev.rows, tickRow(tick, at, intervalMs, svc, first.keys), capacity);
  // ...then again over the window as it is now, which may have dropped a departed backend's last row.
  const { keys } = nextKeys({ ...prev, keys: first.keys }, svc, rows);
  const distribution = nextDistribution(prev.distribution, rows, keys, svc);
  return { rows, keys, distribution, nextSlot: first.nextSlot };
}
