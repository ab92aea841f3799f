/**
 * The counters the data plane bumps on every attempt and request, and that a
 * snapshot reads and then clears. Plain numeric fields and a fixed-size
 * histogram, so counting is O(1) and allocates nothing.
 */
import type { Backend } from '../model/backend';
import { LatencyHistogram } from './histogram';
import type { AttemptOutcome, ErrorKind, TrafficStats } from './types';

const SUMMARY_PERCENTILES = [50, 90, 99] as const;

/** How a client request ended: an attempt's fields, plus whether it was answered 503 for want of a backend. */
export type RequestOutcome = AttemptOutcome & { noBackend?: boolean };

/** Traffic over one tick, for a service or a backend. */
export class TickCounters {
  requests = 0;
  s1xx = 0;
  s2xx = 0;
  s3xx = 0;
  s4xx = 0;
  s5xx = 0;
  refused = 0;
  reset = 0;
  timeout = 0;
  tls = 0;
  other = 0;
  retries = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly latency = new LatencyHistogram();

  /** One request (or attempt) ended. A status outside 100..599 counts as a request with no class. */
  count(latencyMs: number, status: number | undefined, error: ErrorKind | undefined, bytesIn: number, bytesOut: number): void {
    this.requests += 1;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
    this.latency.record(latencyMs);
    if (status !== undefined) {
      switch ((status / 100) | 0) {
        case 1: this.s1xx += 1; break;
        case 2: this.s2xx += 1; break;
        case 3: this.s3xx += 1; break;
        case 4: this.s4xx += 1; break;
        case 5: this.s5xx += 1; break;
      }
    }
    if (error !== undefined) this.countError(error);
  }

  /** One error of `kind`, on its own: for a failure that is not a request (a TCP connection breaking). */
  countError(error: ErrorKind): void {
    switch (error) {
      case 'refused': this.refused += 1; break;
      case 'reset': this.reset += 1; break;
      case 'timeout': this.timeout += 1; break;
      case 'tls': this.tls += 1; break;
      default: this.other += 1;
    }
  }

  /** The tick's numbers as snapshot data (a fresh object: snapshots are kept in history). */
  read(elapsedMs: number, inFlight: number): TrafficStats {
    const h = this.latency;
    let latency: TrafficStats['latency'] = null;
    if (h.count > 0) {
      const [p50 = 0, p90 = 0, p99 = 0] = h.percentiles(SUMMARY_PERCENTILES);
      latency = { p50, p90, p99, max: h.max };
    }
    return {
      requests: this.requests,
      rps: elapsedMs > 0 ? (this.requests * 1000) / elapsedMs : 0,
      inFlight,
      status: { '1xx': this.s1xx, '2xx': this.s2xx, '3xx': this.s3xx, '4xx': this.s4xx, '5xx': this.s5xx },
      errors: { refused: this.refused, reset: this.reset, timeout: this.timeout, tls: this.tls, other: this.other },
      retries: this.retries,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      latency,
    };
  }

  clear(): void {
    this.requests = this.s1xx = this.s2xx = this.s3xx = this.s4xx = this.s5xx = 0;
    this.refused = this.reset = this.timeout = this.tls = this.other = 0;
    this.retries = this.bytesIn = this.bytesOut = 0;
    this.latency.reset();
  }
}

/** One backend's counters, keyed by backend id so they survive renames. */
export class BackendCounters {
  readonly tick = new TickCounters();
  /** Attempts ended since start (or since the backend was last forgotten). */
  totalRequests = 0;
  /** Since start, summed from each tick as it ends (StatsCollector.snapshot): attempts answered 5xx or failed without a response, and bytes. */
  totalErrors = 0;
  totalBytesIn = 0;
  totalBytesOut = 0;
  /** Time since start during which the backend could not take traffic (unhealthy, ejected, drained, disabled or full), in whole ticks. */
  downtimeMs = 0;
  ejections = 0;
  /** The last failed attempt's kind, reason and time (kept across ticks: a UI shows why a backend fails). */
  lastError: { kind: ErrorKind; detail: string; at: number } | undefined;
}

/** Finds or lazily creates a backend's counters; allocates only the first time. */
export function backendCounters(map: Map<string, BackendCounters>, id: string): BackendCounters {
  let c = map.get(id);
  if (c === undefined) {
    c = new BackendCounters();
    map.set(id, c);
  }
  return c;
}

/**
 * One service's counters: the handle the data plane gets once from
 * `StatsCollector.service(name)` and keeps. Every method is O(1), allocates
 * nothing after a backend's first attempt, and emits nothing.
 *
 * The service-level view is what clients saw: one request per client request
 * (or TCP connection), its latency including every retry. The backend-level
 * view counts attempts.
 */
export class ServiceCounters {
  readonly tick = new TickCounters();
  /**
   * Client requests started and not yet ended. The service's own count rather
   * than the sum of its backends' in-flight: it includes requests waiting
   * between retries or being answered 503, which no backend holds.
   */
  inFlight = 0;
  /** Requests answered 503 in this tick because no backend was available. */
  noBackends = 0;

  constructor(
    private readonly backends: Map<string, BackendCounters>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A client request (or TCP connection) arrived. */
  requestStarted(): void {
    this.inFlight += 1;
  }

  /**
   * A client request ended: latency as the client saw it (retries included),
   * the status it got (undefined for TCP or when none was sent), bytes from
   * and to the client, and the error kind when it failed without a response.
   * Takes the same fields positionally or as one outcome object; an outcome
   * with `noBackend: true` also counts as `noBackend()` (so call one or the
   * other, not both).
   */
  requestEnded(outcome: RequestOutcome): void;
  requestEnded(latencyMs: number, status: number | undefined, bytesIn: number, bytesOut: number, error?: ErrorKind): void;
  requestEnded(latencyMs: number | RequestOutcome, status?: number, bytesIn = 0, bytesOut = 0, error?: ErrorKind): void {
    if (this.inFlight > 0) this.inFlight -= 1;
    if (typeof latencyMs === 'number') {
      this.tick.count(latencyMs, status, error, bytesIn, bytesOut);
      return;
    }
    const o = latencyMs;
    if (o.noBackend === true) this.noBackends += 1;
    this.tick.count(o.latencyMs, o.status, o.error, o.bytesIn, o.bytesOut);
  }

  /** One attempt to a backend ended (a response or an error). */
  attemptEnded(backend: Backend, outcome: AttemptOutcome): void {
    const c = backendCounters(this.backends, backend.id);
    c.totalRequests += 1;
    c.tick.count(outcome.latencyMs, outcome.status, outcome.error, outcome.bytesIn, outcome.bytesOut);
    if (outcome.error !== undefined) c.lastError = { kind: outcome.error, detail: outcome.detail ?? outcome.error, at: this.now() };
  }

  /** The request is retried after its attempt to `backend` failed; counts on both the backend and the service. */
  retried(backend: Backend): void {
    backendCounters(this.backends, backend.id).tick.retries += 1;
    this.tick.retries += 1;
  }

  /**
   * The request found no available backend. This counts the cause only; the
   * 503 itself still arrives through `requestEnded`.
   */
  noBackend(): void {
    this.noBackends += 1;
  }

  // TCP connections. A connection is counted in the tick its connect phase
  // settles, with the connect time as its latency, but stays in flight (open)
  // until `connectionClosed()`; its bytes are counted as they flow. The
  // mapping is described in core/proxy/tcp-service.ts.

  /**
   * A client connection reached a backend, or gave up (an error, or
   * `noBackend: true`): one request in the tick, latency = accept to
   * connected. It stays in flight until `connectionClosed()`.
   */
  connectionSettled(outcome: RequestOutcome): void {
    if (outcome.noBackend === true) this.noBackends += 1;
    this.tick.count(outcome.latencyMs, outcome.status, outcome.error, outcome.bytesIn, outcome.bytesOut);
  }

  /** A client connection closed: it no longer counts as in flight. */
  connectionClosed(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
  }

  /** Bytes forwarded on a connection to `backend`: in = client to backend, out = backend to client. */
  transferred(backend: Backend, bytesIn: number, bytesOut: number): void {
    const t = backendCounters(this.backends, backend.id).tick;
    t.bytesIn += bytesIn;
    t.bytesOut += bytesOut;
    this.tick.bytesIn += bytesIn;
    this.tick.bytesOut += bytesOut;
  }

  /** An established connection to `backend` broke (a reset, or another socket error): an error, not a new request. */
  connectionBroke(backend: Backend, kind: ErrorKind): void {
    backendCounters(this.backends, backend.id).tick.countError(kind);
    this.tick.countError(kind);
  }
}
