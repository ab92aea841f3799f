/**
 * Running totals for Prometheus. The stats collector keeps per-tick counts
 * (cleared every tick) for the UIs; Prometheus wants counters that only go
 * up and a cumulative latency histogram. So this adds every tick's raw
 * counters (seen through the collector's observer, before they are cleared)
 * to totals of its own, per service and per backend, and keeps the newest
 * snapshot for the gauges (in flight, health, ejected, weight) and for the
 * names the labels use. It also sums the load generator's runs, whose
 * counts start from zero with every run. Attached only while an admin API
 * runs, so nothing is counted twice otherwise.
 */
import type { Push } from '../contract/events';
import type { LoadProgress, LoadSummary } from '../demo/load/types';
import type { TickCounters } from './counters';
import type { TickObserver } from './collector';
import type { StatsSnapshot } from './types';

/** Upper bounds of the latency histograms, in seconds (Prometheus' default buckets, with 1 and 2.5 ms added for loopback). */
export const LATENCY_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENCY_BOUNDS_MS = LATENCY_BUCKETS_S.map((s) => s * 1000);

/** One service's or backend's traffic since counting began. */
export class TrafficTotals {
  requests = 0;
  status = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  errors = { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 };
  retries = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Cumulative counts at or below each of LATENCY_BUCKETS_S. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_S.length);
  latencySumMs = 0;
  latencyCount = 0;

  add(t: TickCounters): void {
    this.requests += t.requests;
    this.status['1xx'] += t.s1xx;
    this.status['2xx'] += t.s2xx;
    this.status['3xx'] += t.s3xx;
    this.status['4xx'] += t.s4xx;
    this.status['5xx'] += t.s5xx;
    this.errors.refused += t.refused;
    this.errors.reset += t.reset;
    this.errors.timeout += t.timeout;
    this.errors.tls += t.tls;
    this.errors.other += t.other;
    this.retries += t.retries;
    this.bytesIn += t.bytesIn;
    this.bytesOut += t.bytesOut;
    t.latency.addCountsAtOrBelow(LATENCY_BOUNDS_MS, this.buckets);
    this.latencySumMs += t.latency.sum;
    this.latencyCount += t.latency.count;
  }
}

/** The load generator's counts over every run since counting began. */
export interface LoadTotals {
  sent: number;
  ok: number;
  failed: { status4xx: number; status5xx: number; refused: number; reset: number; timeout: number; other: number };
  skipped: number;
}

export interface LoadNow {
  running: boolean;
  inFlight: number;
  targetRate: number | null;
}

/** What the totals attach to: a Workbench (only these two methods). */
export interface TickSource {
  observeTicks(observer: TickObserver): () => void;
  subscribe(listener: (push: Push) => void): () => void;
}

function emptyLoad(): LoadTotals {
  return { sent: 0, ok: 0, failed: { status4xx: 0, status5xx: 0, refused: 0, reset: 0, timeout: 0, other: 0 }, skipped: 0 };
}

function addLoad(into: LoadTotals, from: Pick<LoadProgress | LoadSummary, 'sent' | 'ok' | 'failed' | 'skipped'>): void {
  into.sent += from.sent;
  into.ok += from.ok;
  into.skipped += from.skipped;
  for (const k of Object.keys(into.failed) as Array<keyof LoadTotals['failed']>) into.failed[k] += from.failed[k];
}

export class MetricsTotals {
  private readonly services = new Map<string, TrafficTotals>();
  private readonly backends = new Map<string, TrafficTotals>();
  private readonly noBackend = new Map<string, number>();
  private snapshot: StatsSnapshot | undefined;
  /** Finished runs, summed. */
  private readonly loadDone = emptyLoad();
  /** The current run's latest progress (totals since its start); null between runs. */
  private loadRun: LoadProgress | null = null;
  private loadRunning = false;

  /** Starts counting; returns a function that stops. */
  attach(source: TickSource): () => void {
    const unobserve = source.observeTicks((kind, key, tick) => this.observe(kind, key, tick));
    const unsubscribe = source.subscribe((push) => this.push(push));
    return () => {
      unobserve();
      unsubscribe();
    };
  }

  observe(kind: 'service' | 'backend', key: string, tick: TickCounters): void {
    const map = kind === 'service' ? this.services : this.backends;
    let t = map.get(key);
    if (t === undefined) {
      t = new TrafficTotals();
      map.set(key, t);
    }
    t.add(tick);
  }

  push(push: Push): void {
    if (push.channel === 'stats') this.tick(push.snapshot);
    else if (push.channel === 'load') {
      if (this.loadRunning) this.loadRun = push.progress;
    } else if (push.channel !== 'event') {
      // The lab's per-tick samples (decisions, access records) add nothing to the totals.
    } else if (push.channel === 'event' && push.event.type === 'load:started') {
      this.loadRunning = true;
      this.loadRun = null;
    } else if (push.channel === 'event' && push.event.type === 'load:done') {
      // The summary is the run's final count; progress after it (none is expected) is ignored.
      if (this.loadRunning || this.loadRun !== null) addLoad(this.loadDone, push.event.summary);
      this.loadRunning = false;
      this.loadRun = null;
    }
  }

  /** Keeps the newest snapshot and forgets the totals of services and backends that are gone. */
  private tick(snap: StatsSnapshot): void {
    this.snapshot = snap;
    const services = new Set<string>();
    const backends = new Set<string>();
    for (const s of snap.services) {
      services.add(s.name);
      this.noBackend.set(s.name, (this.noBackend.get(s.name) ?? 0) + s.noBackend);
      for (const b of s.backends) backends.add(b.id);
    }
    for (const name of this.services.keys()) if (!services.has(name)) this.services.delete(name);
    for (const name of this.noBackend.keys()) if (!services.has(name)) this.noBackend.delete(name);
    for (const id of this.backends.keys()) if (!backends.has(id)) this.backends.delete(id);
  }

  latest(): StatsSnapshot | undefined {
    return this.snapshot;
  }

  service(name: string): TrafficTotals {
    return this.services.get(name) ?? new TrafficTotals();
  }

  backend(id: string): TrafficTotals {
    return this.backends.get(id) ?? new TrafficTotals();
  }

  noBackendTotal(service: string): number {
    return this.noBackend.get(service) ?? 0;
  }

  /** Every run's counts so far, the current one included. */
  load(): LoadTotals {
    const out = emptyLoad();
    addLoad(out, this.loadDone);
    if (this.loadRun) addLoad(out, this.loadRun);
    return out;
  }

  loadNow(): LoadNow {
    return { running: this.loadRunning, inFlight: this.loadRunning ? (this.loadRun?.inFlight ?? 0) : 0, targetRate: this.loadRunning ? (this.loadRun?.targetRate ?? null) : null };
  }
}
