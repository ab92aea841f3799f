/**
 * A backend's runtime state: what the data planes, health checkers and
 * strategies share. Strategies only ask `available()` (and read weight,
 * in-flight count and latency estimate); health, drain, disable and capacity
 * all live here.
 */
import { FaultSet } from '../faults/fault-set';
import { backendName, type AdminState, type BackendSpec } from './spec';

export type HealthState = 'unknown' | 'healthy' | 'unhealthy';

export interface CheckResult {
  ok: boolean;
  at: number;
  latencyMs?: number;
  /** What was seen: `200`, `ECONNREFUSED`, `timeout after 500 ms`. */
  detail: string;
}

/** The view of a backend that strategies get: read-only, no side effects. */
export interface Pickable {
  readonly id: string;
  /** What hash strategies place on their ring; stable across restarts (the backend's name). Defaults to id. */
  readonly hashKey?: string;
  readonly weight: number;
  /** In-flight requests (HTTP) or open connections (TCP). */
  readonly inFlight: number;
  available(): boolean;
  /** Peak-EWMA latency in ms decayed to `now`; 0 when nothing was observed yet. */
  latencyEstimate(now: number): number;
  /**
   * Recent failed attempts, decaying (0 once below half a failure): counted
   * as load by the load-based strategies, so a backend that fails at once,
   * and so never has requests in flight, does not look idle.
   */
  recentFailures(now: number): number;
}

/** Decay time constant of the latency estimate (Finagle and Linkerd use 10 s). */
const EWMA_TAU_MS = 10_000;
/** Decay time constant of the failure load: one failure weighs for about 1.4 s (to half), a burst of 50 for about 9 s. */
const FAILURE_TAU_MS = 2_000;

let nextId = 1;

export class Backend implements Pickable {
  readonly id: string;
  name: string;
  url: URL;
  weight: number;
  state: AdminState;
  backup: boolean;
  maxConnections: number | undefined;

  health: HealthState = 'unknown';
  lastCheck: CheckResult | undefined;
  ejected = false;
  inFlight = 0;
  /** Injected faults on the path to this backend (runtime only, never in the spec); the proxy and the health checker both consult them. */
  readonly faults = new FaultSet();

  private ewmaMs = 0;
  private ewmaAt = 0;
  private failures = 0;
  private failuresAt = 0;

  constructor(spec: BackendSpec, id?: string) {
    // '#' cannot appear in a backend name, so an id never matches another backend's name.
    this.id = id ?? `#${nextId++}`;
    this.name = backendName(spec);
    this.url = new URL(spec.url);
    this.weight = spec.weight;
    this.state = spec.state;
    this.backup = spec.backup;
    this.maxConnections = spec.maxConnections;
  }

  get hashKey(): string {
    return this.name;
  }

  /** Takes new traffic: active, not unhealthy, not ejected, not full. `unknown` health counts as up. */
  available(): boolean {
    return (
      this.state === 'active' &&
      this.health !== 'unhealthy' &&
      !this.ejected &&
      (this.maxConnections === undefined || this.inFlight < this.maxConnections)
    );
  }

  /** Feeds one observed latency: a peak is taken at once, a drop decays in. */
  observeLatency(ms: number, now: number): void {
    if (this.ewmaAt === 0 || ms > this.ewmaMs) {
      this.ewmaMs = ms;
    } else {
      const w = Math.exp(-Math.max(0, now - this.ewmaAt) / EWMA_TAU_MS);
      this.ewmaMs = this.ewmaMs * w + ms * (1 - w);
    }
    this.ewmaAt = now;
  }

  /**
   * Feeds one failed attempt (refused, reset, timed out) as a latency sample
   * of `penaltyMs` (the proxy passes the service's connect timeout): the
   * estimate becomes max(penaltyMs, its current value) at once, as a peak, and
   * then decays like any other. Without it a backend that fails in a
   * millisecond would look like the fastest one to peak-EWMA.
   */
  observeFailure(penaltyMs: number, now: number): void {
    this.ewmaMs = Math.max(penaltyMs, this.latencyEstimate(now));
    this.ewmaAt = now;
    this.failures = this.decayedFailures(now) + 1;
    this.failuresAt = now;
  }

  recentFailures(now: number): number {
    const n = this.decayedFailures(now);
    return n < 0.5 ? 0 : n;
  }

  private decayedFailures(now: number): number {
    if (this.failures === 0) return 0;
    return this.failures * Math.exp(-Math.max(0, now - this.failuresAt) / FAILURE_TAU_MS);
  }

  latencyEstimate(now: number): number {
    if (this.ewmaAt === 0) return 0;
    // With no new samples the estimate decays towards zero, so an idle backend gets probed again.
    return this.ewmaMs * Math.exp(-Math.max(0, now - this.ewmaAt) / EWMA_TAU_MS);
  }

  /** Applies a (validated) spec change in place; the id and counters survive. */
  update(spec: BackendSpec): void {
    this.name = backendName(spec);
    this.url = new URL(spec.url);
    this.weight = spec.weight;
    this.state = spec.state;
    this.backup = spec.backup;
    this.maxConnections = spec.maxConnections;
  }

  toSpec(): BackendSpec {
    const spec: BackendSpec = { url: this.urlString(), name: this.name, weight: this.weight, state: this.state, backup: this.backup };
    if (this.maxConnections !== undefined) spec.maxConnections = this.maxConnections;
    return spec;
  }

  /** The URL as the user wrote it (URL adds a trailing slash to bare origins). */
  urlString(): string {
    const s = this.url.href;
    return this.url.pathname === '/' && !this.url.search && s.endsWith('/') ? s.slice(0, -1) : s;
  }
}
