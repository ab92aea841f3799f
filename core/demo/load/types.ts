/**
 * What a load run reports, and the messages between the generator and its
 * worker thread. Kept apart from the schemas (./spec) so the worker thread
 * loads no zod: it receives a spec already validated.
 */
import type { ErrorData } from '../../model/errors';

/** Methods that carry `bodyBytes` of request body. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

export interface FailureCounts {
  status4xx: number;
  status5xx: number;
  /** Connection refused. */
  refused: number;
  /** Connection reset or closed before the answer was complete. */
  reset: number;
  timeout: number;
  other: number;
}

/** One report, about every `progressIntervalMs`. Counts are totals since the start. */
export interface LoadProgress {
  elapsedMs: number;
  sent: number;
  /** 2xx and 3xx answers. */
  ok: number;
  failed: FailureCounts;
  /** Open loop: requests due while `maxInFlight` were unanswered, not sent. */
  skipped: number;
  inFlight: number;
  /** Requests sent per second, over the last interval and since the start. */
  rate: { interval: number; overall: number };
  /** Requests finished (answered or failed) per second. */
  throughput: { interval: number; overall: number };
  /** Open loop: the rate the schedule asks for now. */
  targetRate?: number;
  /** Client-side latency in ms of the answers received during the last interval. */
  latency: { p50: number; p99: number; count: number };
  /** Answers by their `x-demo-backend` header, since the start. */
  backends: Record<string, number>;
}

export type LoadEndReason = 'duration' | 'stopped' | 'error';

export interface LoadSummary {
  reason: LoadEndReason;
  error?: ErrorData;
  durationMs: number;
  sent: number;
  ok: number;
  failed: FailureCounts;
  skipped: number;
  /** In flight when the run ended and abandoned after a short grace; sent = ok + failed + cancelled. */
  cancelled: number;
  /** Requests sent per second over the whole run. */
  rate: number;
  throughput: number;
  /** Client-side latency in ms over the whole run. */
  latency: { p50: number; p90: number; p99: number; max: number; count: number };
  backends: Record<string, number>;
}

/** Between the generator and its worker thread. */
export type ToWorker = { type: 'stop' };
export type FromWorker = { type: 'started' } | { type: 'progress'; progress: LoadProgress } | { type: 'done'; summary: LoadSummary };

export function noFailures(): FailureCounts {
  return { status4xx: 0, status5xx: 0, refused: 0, reset: 0, timeout: 0, other: 0 };
}
