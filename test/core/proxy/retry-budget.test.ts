import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../core/proxy/retry-budget';

type Step = ['start', number] | ['retry'] | ['end', boolean] | ['can', boolean];

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
    const b = new RetryBudget({ budgetPercent: 0, minRetryConcurrency: 2 });
    run(b, [['start', 1], ['can', true], ['retry'], ['start', 1], ['can', true], ['retry'], ['start', 1], ['can', false], ['end', true], ['can', true]]);
  });

  it('allows retrying requests up to budgetPercent of those in flight', () => {
    const b = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 0 });
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
    const b = new RetryBudget({ budgetPercent: 0, minRetryConcurrency: 0 });
    run(b, [['start', 10], ['can', false]]);
    b.update({ budgetPercent: 10, minRetryConcurrency: 0 });
    run(b, [['can', true]]);
  });
});
