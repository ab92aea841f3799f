/**
 * The soak's verdict (bench/lib/trend.ts): the least-squares trend over a
 * trailing window and the limits it is held to.
 */
import { describe, expect, it } from 'vitest';
import { clock, trailingTrend, verdict, type Sample } from '../../bench/lib/trend';

/** Samples every 10 s for `minutes`, RSS from `mb(t)`. */
function series(minutes: number, mb: (t: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t <= minutes * 60; t += 10) out.push({ t, rssMb: mb(t) });
  return out;
}

const limits = { maxRssMb: 200, maxGrowthPercent: 5 };

describe('trailingTrend', () => {
  it('fits a straight line exactly: 1 MB/min from 100 MB is +5 % over the last 5 minutes of 10', () => {
    const trend = trailingTrend(series(10, (t) => 100 + t / 60), 300)!;
    expect(trend.n).toBe(31);
    expect(trend.from).toBe(300);
    expect(trend.to).toBe(600);
    expect(trend.mbPerMin).toBeCloseTo(1, 9);
    expect(trend.startMb).toBeCloseTo(105, 9);
    expect(trend.endMb).toBeCloseTo(110, 9);
    expect(trend.growthPercent).toBeCloseTo((5 / 105) * 100, 9);
  });

  it('reads only the window: a climb before it does not count', () => {
    const trend = trailingTrend(series(10, (t) => (t < 300 ? 60 + t / 5 : 120)), 300)!;
    expect(trend.mbPerMin).toBeCloseTo(0, 9);
    expect(trend.growthPercent).toBeCloseTo(0, 9);
  });

  it('is not fooled by GC sawteeth around a flat level', () => {
    const trend = trailingTrend(series(10, (t) => 150 + ((t / 10) % 3) * 10 - 10), 300)!;
    expect(Math.abs(trend.growthPercent)).toBeLessThan(1.5);
  });

  it('needs three samples in the window', () => {
    expect(trailingTrend([], 300)).toBeUndefined();
    expect(trailingTrend([{ t: 0, rssMb: 1 }, { t: 10, rssMb: 2 }], 300)).toBeUndefined();
  });
});

describe('verdict', () => {
  it('passes a flat series under the ceiling', () => {
    const s = series(10, () => 150);
    expect(verdict(s, trailingTrend(s, 300), limits)).toEqual([]);
  });

  it('fails a sample over the ceiling, naming the worst one', () => {
    const s = series(10, (t) => (t === 420 ? 230.25 : t === 430 ? 210 : 150));
    expect(verdict(s, trailingTrend(s, 300), limits)).toEqual(['RSS exceeded 200 MB in 2 sample(s), up to 230.3 MB at 7:00']);
  });

  it('fails growth over the limit, and passes it just under', () => {
    const growing = series(10, (t) => 100 + (t / 60) * 1.2); // 6 MB over the last 5 min from 106: 5.7 %
    expect(verdict(growing, trailingTrend(growing, 300), limits)).toEqual(['RSS grew 5.7 % over the last 5:00 (limit 5 %)']);
    const slower = series(10, (t) => 100 + (t / 60) * 0.9); // 4.5 MB from 104.5: 4.3 %
    expect(verdict(slower, trailingTrend(slower, 300), limits)).toEqual([]);
  });

  it('fails when there is no trend to judge', () => {
    expect(verdict([{ t: 0, rssMb: 1 }], undefined, limits)).toEqual(['too few samples in the trailing window to fit a trend']);
  });
});

describe('clock', () => {
  it('prints m:ss', () => {
    expect([clock(0), clock(9.6), clock(61), clock(600)]).toEqual(['0:00', '0:10', '1:01', '10:00']);
  });
});
