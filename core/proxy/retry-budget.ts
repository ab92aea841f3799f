/**
 * A retry budget in the manner of Envoy's, applied only while retries fail.
 * At any moment the requests that are being retried may be at most
 * `budgetPercent` of the requests in flight, and `minRetryConcurrency`
 * retrying requests are always allowed. It stops a failing pool from being
 * hammered by retry storms under high concurrency: retries that fail too,
 * piling onto backends that are all in trouble.
 *
 * While retries succeed (a healthy backend remains: one broken backend of
 * two, say, where half of all requests need one), a retry moves a request to
 * a backend that answers rather than adding load, and the budget refuses
 * none: a fixed share would fail GETs exactly there. The budget applies once
 * at least half of the recent retried requests failed anyway. Retries of
 * requests that were never sent (a refused connect) are not its business at
 * all (see retry.ts). (A budget over a rate window refused too much here:
 * with one of three backends broken, a third of requests need a retry.)
 */
import type { RetrySpec } from '../model/spec';

export type RetryBudgetSpec = Pick<RetrySpec, 'budgetPercent' | 'minRetryConcurrency'>;

/** How many recent retried requests decide whether retries are failing. */
const MEMORY = 20;
/** Fewer outcomes than this say nothing yet (retries are presumed to work). */
const MIN_OUTCOMES = 4;

export class RetryBudget {
  private active = 0;
  private retrying = 0;
  /** The last MEMORY retried requests: 1 = failed anyway. */
  private readonly outcomes = new Uint8Array(MEMORY);
  private recorded = 0;
  private next = 0;
  private failures = 0;

  constructor(private spec: RetryBudgetSpec) {}

  update(spec: RetryBudgetSpec): void {
    this.spec = spec;
  }

  /** A client request began. */
  requestStarted(): void {
    this.active++;
  }

  /**
   * A client request ended; `retried` says whether it had entered retrying
   * (taken a place in the budget); `retryWorked`, for a request that was
   * retried at all, whether it got an answer in the end.
   */
  requestEnded(retried: boolean, retryWorked?: boolean): void {
    this.active = Math.max(0, this.active - 1);
    if (retried) this.retrying = Math.max(0, this.retrying - 1);
    if (retryWorked !== undefined) this.remember(!retryWorked);
  }

  /** A request takes its first retry; it counts as retrying until it ends. */
  retryStarted(): void {
    this.retrying++;
  }

  /** Whether one more request may start retrying now. */
  canRetry(): boolean {
    if (!this.retriesFailing()) return true;
    const limit = Math.max(this.spec.minRetryConcurrency, Math.floor((this.active * this.spec.budgetPercent) / 100));
    return this.retrying < limit;
  }

  /** At least half of the recent retried requests failed anyway: the pool is in trouble, and the limit applies. */
  retriesFailing(): boolean {
    return this.recorded >= MIN_OUTCOMES && this.failures * 2 >= this.recorded;
  }

  get counts(): { active: number; retrying: number } {
    return { active: this.active, retrying: this.retrying };
  }

  private remember(failed: boolean): void {
    if (this.recorded === MEMORY) this.failures -= this.outcomes[this.next]!;
    else this.recorded++;
    this.outcomes[this.next] = failed ? 1 : 0;
    this.failures += failed ? 1 : 0;
    this.next = (this.next + 1) % MEMORY;
  }
}
