/**
 * The shape of one stats tick. One snapshot object per tick (default 500 ms)
 * is built, kept in a ring buffer and sent to every UI; nothing per request.
 */
import type { HealthState, CheckResult } from '../model/backend';
import type { ErrorCode } from '../model/errors';
import type { AdminState, Protocol } from '../model/spec';

/** Why a request to a backend failed without a response (`tls`: the handshake or the certificate). */
export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'tls' | 'other';

/** What the data plane reports when one attempt to a backend ends. */
export interface AttemptOutcome {
  /** Response status, when one arrived. */
  status?: number;
  error?: ErrorKind;
  /** With `error`: what went wrong, in a person's words (`self-signed certificate`, `ECONNREFUSED`). */
  detail?: string;
  latencyMs: number;
  /** Bytes received from the client / sent to it (request body in, response body out). */
  bytesIn: number;
  bytesOut: number;
}

export type StatusClasses = { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
export type ErrorCounts = Record<ErrorKind, number>;
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Counters over one tick (requests, not per second, except `rps`). */
export interface TrafficStats {
  requests: number;
  rps: number;
  inFlight: number;
  status: StatusClasses;
  errors: ErrorCounts;
  retries: number;
  bytesIn: number;
  bytesOut: number;
  /** null when no request ended in this tick. */
  latency: LatencySummary | null;
}

export interface BackendSnapshot extends TrafficStats {
  id: string;
  name: string;
  url: string;
  weight: number;
  state: AdminState;
  backup: boolean;
  health: HealthState;
  lastCheck: CheckResult | null;
  ejected: boolean;
  /** Ejections since start. */
  ejections: number;
  available: boolean;
  /** Share of this tick's service requests that went here, 0..1. */
  share: number;
  /** Share its weight implies among the backends that can take traffic, 0..1. */
  expectedShare: number;
  /** Since start. */
  totalRequests: number;
  /** Since start: attempts answered 5xx or failed without a response (refused, reset, timed out, TLS, other). */
  totalErrors: number;
  /** Since start: bytes from clients to it, and from it to clients. */
  totalBytesIn: number;
  totalBytesOut: number;
  /** Since start: how long it could not take traffic (`available` false at the end of a tick counts that tick), in ms. */
  downtimeMs: number;
  /** Injected faults that apply now, as short labels (`latency +300 ms`, `error 503 @ 50%`); empty when none. */
  faults: string[];
  /** The last attempt that failed without a response, since start: its code and reason (`LB_UPSTREAM_TLS`, `self-signed certificate`). */
  lastError: { code: ErrorCode; message: string; at: number } | null;
}

export interface ServiceSnapshot extends TrafficStats {
  name: string;
  protocol: Protocol;
  /** The address actually bound, or null when not listening. */
  address: string | null;
  strategy: string;
  /** Requests answered 503 because no backend was available. */
  noBackend: number;
  backends: BackendSnapshot[];
}

export interface StatsSnapshot {
  tick: number;
  /** Wall-clock ms at the end of the tick. */
  at: number;
  intervalMs: number;
  services: ServiceSnapshot[];
}
