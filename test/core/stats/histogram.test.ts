import { describe, expect, it } from 'vitest';
import { HISTOGRAM_BUCKETS, HISTOGRAM_MAX_MS, LatencyHistogram } from '../../../core/stats/histogram';

/** The stated bound: 1/128 relative, plus the 0.5 µs rounding to microseconds. */
function within(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected / 128 + 0.0005);
}

function uniform(from: number, to: number, step = 1): LatencyHistogram {
  const h = new LatencyHistogram();
  for (let v = from; v <= to; v += step) h.record(v);
  return h;
}

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.max).toBe(0);
    expect(h.percentile(50)).toBe(0);
    expect(h.percentiles([50, 99])).toEqual([0, 0]);
  });

  it('gives percentiles of 1..10000 ms within the stated error, and the exact max', () => {
    const h = uniform(1, 10_000);
    expect(h.count).toBe(10_000);
    within(h.percentile(50), 5000);
    within(h.percentile(90), 9000);
    within(h.percentile(99), 9900);
    within(h.percentile(99.9), 9990);
    expect(h.max).toBe(10_000);
    expect(h.min).toBe(1);
    expect(h.percentile(100)).toBe(10_000);
    expect(h.percentile(0)).toBe(1);
  });

  it('answers several percentiles in one pass the same as one at a time', () => {
    const h = uniform(0.5, 2000, 0.5);
    const ps = [1, 25, 50, 75, 90, 99, 99.99, 100];
    expect(h.percentiles(ps)).toEqual(ps.map((p) => h.percentile(p)));
    expect(() => h.percentiles([99, 50])).toThrow(RangeError);
  });

  it('is exact to the microsecond below 0.128 ms', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 100; us++) h.record(us / 1000);
    expect(h.percentile(1)).toBeCloseTo(0.001, 9);
    expect(h.percentile(37)).toBeCloseTo(0.037, 9);
    expect(h.percentile(50)).toBeCloseTo(0.05, 9);
    expect(h.percentile(100)).toBeCloseTo(0.1, 9);
  });

  it('stays within the stated relative error across the whole range', () => {
    // Single values spread log-uniformly from 1 µs to 10 minutes: the median of one sample is that sample.
    const h = new LatencyHistogram();
    for (let x = 0.001; x <= 600_000; x *= 1.037) {
      h.reset();
      h.record(x);
      h.record(x * 1.0001);
      h.record(x * 0.9999);
      within(h.percentile(50), x);
    }
  });

  it('clamps out-of-range values instead of failing', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(Number.NaN);
    h.record(1e12);
    h.record(Number.POSITIVE_INFINITY);
    expect(h.count).toBe(4);
    expect(h.min).toBe(0);
    expect(h.max).toBe(HISTOGRAM_MAX_MS);
    expect(h.percentile(50)).toBe(0);
    expect(h.percentile(100)).toBe(HISTOGRAM_MAX_MS);
    expect(HISTOGRAM_MAX_MS).toBeGreaterThan(600_000);
    expect(HISTOGRAM_BUCKETS).toBe(1600);
  });

  it('merges to the same result as recording everything in one', () => {
    const a = uniform(1, 5000);
    const b = uniform(5001, 10_000);
    const all = uniform(1, 10_000);
    a.merge(b);
    expect(a.count).toBe(10_000);
    expect(a.max).toBe(10_000);
    expect(a.min).toBe(1);
    for (const p of [0, 10, 50, 90, 99, 100]) expect(a.percentile(p)).toBe(all.percentile(p));

    const empty = new LatencyHistogram();
    empty.merge(b);
    expect(empty.min).toBe(5001);
    expect(empty.percentile(50)).toBe(b.percentile(50));
    b.merge(new LatencyHistogram());
    expect(b.count).toBe(5000);
  });

  it('forgets everything on reset', () => {
    const h = uniform(1, 1000);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.max).toBe(0);
    expect(h.percentile(99)).toBe(0);
    h.record(3);
    expect(h.count).toBe(1);
    expect(h.percentile(0)).toBe(3);
    expect(h.percentile(100)).toBe(3);
  });
});
