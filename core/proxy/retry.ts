/**
 * The retry rule of the HTTP data plane: one pure function, so every case is a
 * row in a table test. Connection-level failures are retried; a response is
 * the backend's answer and is forwarded as it is, unless its status is one
 * the service retries on (`retries.onStatus`, as nginx's proxy_next_upstream
 * http_503 or Envoy's retriable status codes), which counts as a request
 * that was sent and then lost.
 *
 * A connect that was refused or timed out sent nothing, so retrying it on
 * another backend is always safe and adds no load to any backend: only
 * `retries.attempts` bounds it. The retry budget caps only the retries that
 * can amplify load, those of requests that were sent (timeouts and resets
 * after sending, retries on a status).
 */
import type { ErrorKind } from '../stats/types';

/** Methods that may run twice without changing the result (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

export interface RetryQuestion {
  /** Attempts made so far, the failed one included (1 after the first try). */
  attempt: number;
  /** Total tries allowed, the first included (`retries.attempts`). */
  maxAttempts: number;
  method: string;
  /** The request reached the backend: the connection was up and sending began. */
  bodySent: boolean;
  /** The whole body read so far is kept (within the replay buffer), so it can be sent again. */
  bodyReplayable: boolean;
  /** Some of the response already went to the client. */
  responseStarted: boolean;
  /** Why the attempt failed; undefined when a response arrived. */
  error: ErrorKind | undefined;
  /** The status of the response that arrived, when one did (and has not gone to the client). */
  status?: number;
  /** The statuses the service retries on (`retries.onStatus`). */
  retryOnStatus?: readonly number[];
  retryNonIdempotent: boolean;
  /** The service's retry budget has room for one more retry (asked only of retries that need it). */
  budgetAllows: boolean;
}

/** The failed attempt never reached its backend (refused or timed out while connecting): a retry costs no backend anything. */
export function isSafeRetry(q: Pick<RetryQuestion, 'bodySent' | 'error'>): boolean {
  return q.error !== undefined && !q.bodySent;
}

export function shouldRetry(q: RetryQuestion): boolean {
  if (q.responseStarted) return false;
  const retryableAnswer = q.error === undefined && q.status !== undefined && (q.retryOnStatus ?? []).includes(q.status);
  if (q.error === undefined && !retryableAnswer) return false;
  if (q.attempt >= q.maxAttempts) return false;
  // Refused or timed out while connecting: the backend never saw the request, whatever the budget.
  if (isSafeRetry(q)) return true;
  if (!q.budgetAllows) return false;
  // Sent, then lost: the backend may have acted on it, so only safe methods, and only with the body at hand.
  return (isIdempotent(q.method) || q.retryNonIdempotent) && q.bodyReplayable;
}
