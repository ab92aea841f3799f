/**
 * The soak's verdict on a series of memory samples: a least-squares line
 * through the samples of a trailing window, and how much that line rises
 * over the window as a share of where it starts. A fitted line rather than
 * last-minus-first, so one sample caught in the middle of a GC cycle (or
 * just after one) neither hides growth nor invents it.
 */

export interface Sample {
  /** Seconds since the soak started. */
  t: number;
  /** Resident set size, MB. */
  rssMb: number;
}

export interface Trend {
  /** The samples the line was fitted through. */
  n: number;
  /** Window start and end, seconds. */
  from: number;
  to: number;
  /** The fitted line's slope, MB per minute. */
  mbPerMin: number;
  /** The fitted line at the window's start and end, MB. */
  startMb: number;
  endMb: number;
  /** (endMb - startMb) / startMb, in percent. */
  growthPercent: number;
}

/**
 * The trend over the last `windowS` seconds before the newest sample, or
 * undefined with fewer than three samples in it (a line through two points
 * says nothing about noise).
 */
export function trailingTrend(samples: readonly Sample[], windowS: number): Trend | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  const from = last.t - windowS;
  const xs = samples.filter((s) => s.t >= from - 1e-9);
  if (xs.length < 3) return undefined;
  const n = xs.length;
  const meanT = xs.reduce((a, s) => a + s.t, 0) / n;
  const meanY = xs.reduce((a, s) => a + s.rssMb, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of xs) {
    sxy += (s.t - meanT) * (s.rssMb - meanY);
    sxx += (s.t - meanT) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0; // MB per second
  const at = (t: number) => meanY + slope * (t - meanT);
  const startMb = at(from);
  const endMb = at(last.t);
  return { n, from, to: last.t, mbPerMin: slope * 60, startMb, endMb, growthPercent: startMb > 0 ? ((endMb - startMb) / startMb) * 100 : 0 };
}

/** What a soak is held to: a ceiling for every sample, and for the trailing window's fitted growth. */
export interface Limits {
  maxRssMb: number;
  maxGrowthPercent: number;
}

/** Why the samples fail the limits; empty when they pass. */
export function verdict(samples: readonly Sample[], trend: Trend | undefined, limits: Limits): string[] {
  const problems: string[] = [];
  const over = samples.filter((s) => s.rssMb > limits.maxRssMb);
  if (over.length > 0) {
    const worst = over.reduce((a, s) => (s.rssMb > a.rssMb ? s : a));
    problems.push(`RSS exceeded ${limits.maxRssMb} MB in ${over.length} sample(s), up to ${worst.rssMb.toFixed(1)} MB at ${clock(worst.t)}`);
  }
  if (!trend) problems.push('too few samples in the trailing window to fit a trend');
  else if (trend.growthPercent > limits.maxGrowthPercent) {
    problems.push(`RSS grew ${trend.growthPercent.toFixed(1)} % over the last ${clock(trend.to - trend.from)} (limit ${limits.maxGrowthPercent} %)`);
  }
  return problems;
}

/** Seconds as m:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
