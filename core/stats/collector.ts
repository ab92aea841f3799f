/**
 * The workbench's stats collector. The data plane counts through cached
 * per-service handles (`service(name)`), O(1) and allocation-free per request;
 * once per tick `snapshot()` turns the counters into one `StatsSnapshot`,
 * keeps it in a ring buffer of the last ten minutes and clears the tick's
 * counters. Nothing is emitted per request.
 */
import { upstreamErrorCode } from '../model/errors';
import type { Backend } from '../model/backend';
import type { Protocol } from '../model/spec';
import { BackendCounters, ServiceCounters, TickCounters, backendCounters } from './counters';
import { RingBuffer } from './ring';
import type { BackendSnapshot, ServiceSnapshot, StatsSnapshot, TrafficStats } from './types';

export { ServiceCounters, type RequestOutcome } from './counters';
export { startTicker, type StopTicker } from './ticker';

/** How much history is kept: ten minutes of ticks. */
export const HISTORY_MS = 600_000;

/**
 * Sees every tick's raw counters just before they are cleared: each
 * service's (by name) and each backend's (by id). For totals kept elsewhere
 * (the admin API's Prometheus counters and histograms); it must only read.
 */
export type TickObserver = (kind: 'service' | 'backend', key: string, tick: TickCounters) => void;

/** What a snapshot needs to know about a service, read at the end of the tick. */
export interface ServiceInfo {
  name: string;
  protocol: Protocol;
  /** The address actually bound, or null when not listening. */
  address: string | null;
  strategy: string;
  /** Whether the strategy follows weights; if not, the expected split is even (default true). */
  weighted?: boolean;
  backends: readonly Backend[];
}

export interface StatsCollectorOptions {
  /** The nominal tick length; sizes the history (actual tick lengths come from `snapshot(now)`). */
  tickMs: number;
  /**
   * Clock time when counting starts: the start of tick 1. Without it tick 1
   * is taken to be exactly `tickMs` long.
   */
  startedAt?: number;
  /** The clock that stamps a backend's last error (default Date.now). */
  now?: () => number;
}

export class StatsCollector {
  readonly tickMs: number;
  private readonly services = new Map<string, ServiceCounters>();
  private readonly backends = new Map<string, BackendCounters>();
  private readonly ring: RingBuffer<StatsSnapshot>;
  /** When the previous tick ended; undefined before tick 1 when no start time was given. */
  private lastAt: number | undefined;
  private nextTick = 1;
  private readonly now: () => number;
  private readonly observers = new Set<TickObserver>();

  constructor(options: StatsCollectorOptions) {
    this.now = options.now ?? Date.now;
    if (!(options.tickMs > 0)) throw new RangeError(`tickMs must be > 0, got ${options.tickMs}`);
    this.tickMs = options.tickMs;
    this.lastAt = options.startedAt;
    this.ring = new RingBuffer(Math.ceil(HISTORY_MS / options.tickMs));
  }

  /** The counters handle for a service, created on first use; the data plane should get it once and keep it. */
  service(name: string): ServiceCounters {
    let c = this.services.get(name);
    if (c === undefined) {
      c = new ServiceCounters(this.backends, this.now);
      this.services.set(name, c);
    }
    return c;
  }

  /** Moves a service's counters to its new name (handles already given out stay valid). */
  renameService(from: string, to: string): void {
    const c = this.services.get(from);
    if (c === undefined || from === to) return;
    this.services.delete(from);
    this.services.set(to, c);
  }

  /**
   * Drops a service's counters. Its backends' counters are dropped with
   * `forgetBackend`. A handle still held keeps counting into nothing that is
   * reported.
   */
  forgetService(name: string): void {
    this.services.delete(name);
  }

  /**
   * Drops a removed backend's counters, including its totals and ejections.
   * An attempt that ends after this starts fresh counters under the same id,
   * harmless since removed ids are not reused.
   */
  forgetBackend(id: string): void {
    this.backends.delete(id);
  }

  /** Adds an observer of each tick's raw counters; returns a function that removes it. */
  observe(observer: TickObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Counts one ejection of a backend (reported as `ejections`, since start). */
  ejected(backendId: string): void {
    backendCounters(this.backends, backendId).ejections += 1;
  }

  /**
   * Ends the current tick at `now`: builds its snapshot from the counters and
   * the services' current state, keeps it in history, clears the tick's
   * counters (totals stay) and returns it. `rps` and `intervalMs` use the
   * actual time since the previous snapshot.
   */
  snapshot(now: number, services: readonly ServiceInfo[]): StatsSnapshot {
    const elapsedMs = this.lastAt === undefined ? this.tickMs : Math.max(0, now - this.lastAt);
    this.lastAt = now;
    const snap: StatsSnapshot = {
      tick: this.nextTick++,
      at: now,
      intervalMs: elapsedMs,
      services: services.map((s) => this.serviceSnapshot(s, elapsedMs)),
    };
    for (const observer of this.observers) {
      for (const [name, c] of this.services) observer('service', name, c.tick);
      for (const [id, c] of this.backends) observer('backend', id, c.tick);
    }
    for (const c of this.services.values()) {
      c.tick.clear();
      c.noBackends = 0;
    }
    for (const c of this.backends.values()) c.tick.clear();
    this.ring.push(snap);
    return snap;
  }

  /** Kept snapshots newer than `sinceTick` (all kept ones without it), oldest first. */
  history(sinceTick?: number): StatsSnapshot[] {
    if (sinceTick === undefined) return this.ring.toArray();
    return this.ring.since((s) => s.tick > sinceTick);
  }

  /** The newest snapshot, or undefined before the first tick. */
  latest(): StatsSnapshot | undefined {
    return this.ring.last();
  }

  /** How many snapshots history keeps: ten minutes of nominal ticks. */
  get historyCapacity(): number {
    return this.ring.capacity;
  }

  private serviceSnapshot(s: ServiceInfo, elapsedMs: number): ServiceSnapshot {
    const sc = this.service(s.name);
    const n = s.backends.length;

    // Which backends can take traffic: the available primaries, or the available backups when no primary is.
    const available: boolean[] = [];
    let primaryUp = false;
    for (const b of s.backends) {
      const up = b.available();
      available.push(up);
      if (up && !b.backup) primaryUp = true;
    }
    // `share` divides by the attempts that ended on this service's backends, not by client
    // requests, so with retries the shares still sum to 1 and compare with `expectedShare`.
    const weighted = s.weighted ?? true;
    let weightSum = 0;
    let attempts = 0;
    for (let i = 0; i < n; i++) {
      const b = s.backends[i]!;
      if (available[i] && b.backup !== primaryUp) weightSum += weighted ? b.weight : 1;
      attempts += this.backends.get(b.id)?.tick.requests ?? 0;
    }

    const backends: BackendSnapshot[] = [];
    for (let i = 0; i < n; i++) {
      const b = s.backends[i]!;
      const c = this.backends.get(b.id);
      const traffic = c ? c.tick.read(elapsedMs, b.inFlight) : emptyTraffic(b.inFlight);
      // The running totals: this tick's counts added before they are cleared; a backend that cannot take traffic is down for the tick.
      if (c) {
        const e = traffic.errors;
        c.totalErrors += traffic.status['5xx'] + e.refused + e.reset + e.timeout + e.tls + e.other;
        c.totalBytesIn += traffic.bytesIn;
        c.totalBytesOut += traffic.bytesOut;
      }
      if (!available[i]) backendCounters(this.backends, b.id).downtimeMs += elapsedMs;
      const totals = this.backends.get(b.id);
      const inTier = available[i]! && b.backup !== primaryUp;
      // Fields are listed, not spread: a spread builds a slow dictionary-mode object per backend per tick.
      backends.push({
        requests: traffic.requests,
        rps: traffic.rps,
        inFlight: traffic.inFlight,
        status: traffic.status,
        errors: traffic.errors,
        retries: traffic.retries,
        bytesIn: traffic.bytesIn,
        bytesOut: traffic.bytesOut,
        latency: traffic.latency,
        id: b.id,
        name: b.name,
        url: b.urlString(),
        weight: b.weight,
        state: b.state,
        backup: b.backup,
        health: b.health,
        lastCheck: b.lastCheck ? { ...b.lastCheck } : null,
        ejected: b.ejected,
        ejections: c?.ejections ?? 0,
        available: available[i]!,
        share: attempts > 0 ? traffic.requests / attempts : 0,
        expectedShare: inTier && weightSum > 0 ? (weighted ? b.weight : 1) / weightSum : 0,
        totalRequests: c?.totalRequests ?? 0,
        totalErrors: c?.totalErrors ?? 0,
        totalBytesIn: c?.totalBytesIn ?? 0,
        totalBytesOut: c?.totalBytesOut ?? 0,
        downtimeMs: totals?.downtimeMs ?? 0,
        faults: b.faults.labels(),
        lastError: c?.lastError ? { code: upstreamErrorCode(c.lastError.kind), message: c.lastError.detail, at: c.lastError.at } : null,
      });
    }

    const traffic = sc.tick.read(elapsedMs, sc.inFlight);
    return {
      requests: traffic.requests,
      rps: traffic.rps,
      inFlight: traffic.inFlight,
      status: traffic.status,
      errors: traffic.errors,
      retries: traffic.retries,
      bytesIn: traffic.bytesIn,
      bytesOut: traffic.bytesOut,
      latency: traffic.latency,
      name: s.name,
      protocol: s.protocol,
      address: s.address,
      strategy: s.strategy,
      noBackend: sc.noBackends,
      backends,
    };
  }
}

/** A backend that has not been counted yet: zero traffic. */
function emptyTraffic(inFlight: number): TrafficStats {
  return {
    requests: 0,
    rps: 0,
    inFlight,
    status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors: { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 },
    retries: 0,
    bytesIn: 0,
    bytesOut: 0,
    latency: null,
  };
}
