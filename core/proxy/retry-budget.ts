/**
 * A retry budget in the manner of Envoy's: at any moment, the requests that
 * are being retried may be at most `budgetPercent` of the requests in flight,
 * and `minRetryConcurrency` retrying requests are always allowed. It stops a
 * failing pool from being hammered by retry storms under high concurrency,
 * while a quiet service (or one broken backend among several) still retries
 * every failed request. (A budget over a rate window refused too much here:
 * with one of three backends broken, a third of requests need a retry.)
 */
import type { RetrySpec } from '../model/spec';

export type RetryBudgetSpec = Pick<RetrySpec, 'budgetPercent' | 'minRetryConcurrency'>;

export class RetryBudget {
  private active = 0;
  private retrying = 0;

  constructor(private spec: RetryBudgetSpec) {}

  update(spec: RetryBudgetSpec): void {
    this.spec = spec;
  }

  /** A client request began. */
  requestStarted(): void {
    this.active++;
  }

  /** A client request ended; `retried` says whether it had entered retrying. */
  requestEnded(retried: boolean): void {
    this.active = Math.max(0, this.active - 1);
    if (retried) this.retrying = Math.max(0, this.retrying - 1);
  }

  /** A request takes its first retry; it counts as retrying until it ends. */
  retryStarted(): void {
    this.retrying++;
  }

  /** Whether one more request may start retrying now. */
  canRetry(): boolean {
    const limit = Math.max(this.spec.minRetryConcurrency, Math.floor((this.active * this.spec.budgetPercent) / 100));
    return this.retrying < limit;
  }

  get counts(): { active: number; retrying: number } {
    return { active: this.active, retrying: this.retrying };
  }
}
