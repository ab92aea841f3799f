/**
 * What a drill reports: what the clients saw (per method), what the
 * balancer did (retries, ejections, health transitions), how fast it
 * noticed and got over each step, and the service's stats over the run.
 * Plain data: it is sent to UIs and exported as JSON or HTML as it is.
 */
import type { HealthState } from '../model/backend';
import type { ErrorData } from '../model/errors';
import type { FailureCounts } from '../demo/load/types';
import type { RequestMixEntry } from '../demo/load/spec';
import type { DrillAction } from './spec';

export type DrillResult = 'completed' | 'stopped' | 'error';

/** Client-side outcomes of one method (or of all). */
export interface MethodOutcomes {
  sent: number;
  ok: number;
  failed: FailureCounts;
  /** The sum of `failed`. */
  failedTotal: number;
  /** In flight when the load ended, abandoned after a short grace. */
  cancelled: number;
  /** Due while `maxInFlight` were unanswered, not sent. */
  skipped: number;
}

export interface DrillStepResult {
  index: number;
  atMs: number;
  action: DrillAction;
  service: string;
  backend: string | null;
  label: string;
  /** When it was applied, ms from the start of the load; null when it never ran (the drill ended first). */
  appliedAtMs: number | null;
  error?: ErrorData;
  /**
   * Time to detect: from the step to the balancer's first reaction to it on
   * that backend: for a kill or fault, it going unhealthy or being ejected;
   * for a revive or heal, it going healthy or being returned. Null when
   * nothing happened before the next step or the end (or for weight and state).
   */
  detectMs: number | null;
  /** The event that counted as detection: `health:changed → unhealthy`, `backend:ejected`. */
  detectedBy: string | null;
  /**
   * Time to recover: for a kill or fault, until the clients stopped seeing
   * failures (0 when they saw none; resolution: the load's progress interval);
   * for a revive or heal, until the backend took traffic again. Null when
   * that did not happen before the next step or the end.
   */
  recoverMs: number | null;
  /** Failed requests (client side) from this step until the next step planned later, or the end. */
  failuresAfter: number;
}

/** A balancer event during the drill, relative to the start of the load. */
export interface DrillEventRecord {
  tMs: number;
  type: string;
  backend: string;
  detail: string;
}

/** The service's stats tick, trimmed to what the report charts. */
export interface DrillSample {
  tMs: number;
  rps: number;
  /** Requests that failed without a response (refused, reset, timeout, other) in the tick. */
  errors: number;
  status5xx: number;
  retries: number;
  p50: number | null;
  p99: number | null;
  backends: Array<{ name: string; rps: number; health: HealthState; ejected: boolean; available: boolean; faults: string[] }>;
}

export interface DrillVerdict {
  /** No GET failed and no POST was sent twice. */
  clean: boolean;
  failedGets: number;
  /**
   * Non-idempotent requests the proxy sent again after an attempt that had
   * already reached a backend: each may have run twice. Counted by the proxy,
   * which is the only place that knows.
   */
  duplicatedPosts: number;
  failedRequests: number;
  /** The verdict in sentences, for people. */
  lines: string[];
}

export interface DrillReport {
  drill: string;
  service: string;
  description?: string;
  result: DrillResult;
  error?: ErrorData;
  /** Wall-clock ms when the load started and ended. */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  load: {
    rate: number;
    requests: RequestMixEntry[];
    /** Requests sent per second, all methods. */
    achievedRate: number;
    /** Client-side latency in ms: p50 weighted over the methods, the worst p99 and max. */
    latency: { p50: number; p99: number; max: number };
  };
  requests: { total: MethodOutcomes; byMethod: Record<string, MethodOutcomes> };
  /** Retries the proxy made (all backends of the service). */
  retries: number;
  /** Requests sent again after an attempt that reached a backend, by method kind. */
  resent: { idempotent: number; nonIdempotent: number };
  ejections: number;
  healthTransitions: number;
  steps: DrillStepResult[];
  events: DrillEventRecord[];
  samples: DrillSample[];
  verdict: DrillVerdict;
}

/** What `drills:run` answers and `drills:status` reports. */
export interface DrillStatus {
  state: 'idle' | 'starting' | 'running' | 'finishing';
  drill: string | null;
  /** Wall-clock ms when the load started; null until then. */
  startedAt: number | null;
  durationMs: number | null;
  /** Steps applied so far. */
  stepsDone: number;
}
