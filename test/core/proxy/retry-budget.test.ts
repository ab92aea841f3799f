import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../core/proxy/retry-budget';

type Step = ['start', number] | ['retry'] | ['end', boolean] | ['can', boolean];

/** A budget whose recent retries failed, so its limit applies. */
function failing(spec: { budgetPercent: number; minRetryConcurrency: number }): RetryBudget {
  const b = new RetryBudget(spec);
  for (let i = 0; i < 20; i++) {
    b.requestStarted();
    b.requestEnded(false, false);
  }
  expect(b.retriesFailing()).toBe(true);
  return b;
}

/** Runs a script against a budget: `n` requests starting, a retry, an end, or an expectation. */
function run(budget: RetryBudget, steps: Step[]): void {
  steps.forEach((step, i) => {
    if (step[0] === 'start') for (let n = 0; n < step[1]; n++) budget.requestStarted();
    else if (step[0] === 'retry') budget.retryStarted();
    else if (step[0] === 'end') budget.requestEnded(step[1]);
    else expect(budget.canRetry(), `step ${i}`).toBe(step[1]);
  });
}

describe('RetryBudget', () => {
  it('always allows minRetryConcurrency retrying requests', () => {
    const b = failing({ budgetPercent: 0, minRetryConcurrency: 2 });
    run(b, [['start', 1], ['can', true], ['retry'], ['start', 1], ['can', true], ['retry'], ['start', 1], ['can', false], ['end', true], ['can', true]]);
  });

  it('allows retrying requests up to budgetPercent of those in flight', () => {
    const b = failing({ budgetPercent: 20, minRetryConcurrency: 0 });
    run(b, [
      ['can', false], // nothing in flight: 20% of nothing
      ['start', 10],
      ['can', true], // 0 < 2
      ['retry'],
      ['can', true], // 1 < 2
      ['retry'],
      ['can', false], // 2 retrying of 10
      ['start', 5],
      ['can', true], // 15 in flight allow 3
      ['end', false],
      ['end', false],
      ['end', false],
      ['can', false], // back to 12: 2 allowed, 2 retrying
    ]);
  });

  it('lets sequential traffic retry every failure (one broken backend of three)', () => {
    const b = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
    for (let i = 0; i < 300; i++) {
      b.requestStarted();
      const fails = i % 3 === 0;
      if (fails) {
        expect(b.canRetry()).toBe(true);
        b.retryStarted();
      }
      b.requestEnded(fails);
    }
    expect(b.counts).toEqual({ active: 0, retrying: 0 });
  });

  it('applies a new spec at once', () => {
    const b = failing({ budgetPercent: 0, minRetryConcurrency: 0 });
    run(b, [['start', 10], ['can', false]]);
    b.update({ budgetPercent: 10, minRetryConcurrency: 0 });
    run(b, [['can', true]]);
  });

  it('refuses nothing while retries work, whatever the concurrency (one broken backend of two)', () => {
    const b = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
    for (let i = 0; i < 50; i++) b.requestStarted();
    for (let i = 0; i < 25; i++) {
      expect(b.canRetry(), `retry ${i}`).toBe(true);
      b.retryStarted();
    }
    // The 25 retried requests got answers: retries still work, the limit stays off.
    for (let i = 0; i < 25; i++) b.requestEnded(true, true);
    expect(b.retriesFailing()).toBe(false);
    expect(b.canRetry()).toBe(true);
  });

  it('applies the limit once half of the recent retried requests failed, and lifts it when they work again', () => {
    const b = new RetryBudget({ budgetPercent: 10, minRetryConcurrency: 2 });
    for (let i = 0; i < 40; i++) b.requestStarted();
    const outcome = (worked: boolean) => {
      b.requestStarted();
      b.retryStarted();
      b.requestEnded(true, worked);
    };
    outcome(true);
    outcome(false);
    outcome(false);
    expect(b.retriesFailing(), 'three outcomes say nothing yet').toBe(false);
    outcome(false);
    expect(b.retriesFailing(), '3 of 4 failed').toBe(true);
    b.retryStarted();
    b.retryStarted();
    b.retryStarted();
    b.retryStarted();
    expect(b.canRetry(), '4 retrying of 40 in flight at 10%').toBe(false);
    for (let i = 0; i < 20; i++) outcome(true);
    expect(b.retriesFailing()).toBe(false);
    expect(b.canRetry()).toBe(true);
  });
});
