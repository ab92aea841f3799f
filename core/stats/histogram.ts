/**
 * A fixed-memory latency histogram with log-linear buckets (an HdrHistogram
 * lite). Values are milliseconds as floats, kept at microsecond resolution:
 *
 * - below 0.128 ms every microsecond has its own bucket (exact to 0.5 µs);
 * - above, each power of two is split into 64 equal buckets, so a percentile
 *   (reported as its bucket's midpoint) is within 1/128 (< 0.8 %) of the
 *   true sample, plus the 0.5 µs rounding;
 * - the range is 0 to 2^30 µs (about 17.9 minutes); larger values, and
 *   Infinity, are recorded as that top value. Negative values and NaN count
 *   as 0.
 *
 * It is 1600 float counters (12.8 kB) whatever the traffic, and recording is
 * O(1) with no allocation, because it runs once per request. Samples are
 * never kept or sorted.
 */

/** Buckets per power of two in the linear low range: 2^7 = 128 µs of 1 µs each. */
const SUB_BITS = 7;
/** Buckets per power of two above the linear range. */
const HALF = 1 << (SUB_BITS - 1);
/** Values are tracked up to 2^TOP_BITS - 1 µs. */
const TOP_BITS = 30;
const MAX_UNITS = 2 ** TOP_BITS - 1;
const UNITS_PER_MS = 1000;

/** The largest value the histogram tells apart, in ms (about 17.9 minutes). */
export const HISTOGRAM_MAX_MS = MAX_UNITS / UNITS_PER_MS;
/** Number of buckets: the linear 0..127 µs plus 64 per power of two up to 2^30. */
export const HISTOGRAM_BUCKETS = (TOP_BITS - SUB_BITS + 2) * HALF;

/** The bucket of a value in µs (0..MAX_UNITS). */
function bucketOf(units: number): number {
  // The highest set bit picks the power of two; the next 6 bits the bucket in it.
  const shift = Math.max(0, 31 - Math.clz32(units) - (SUB_BITS - 1));
  return shift * HALF + (units >>> shift);
}

/** The value in µs that stands for a bucket: the midpoint of the integers it holds. */
function valueOf(index: number): number {
  if (index < 2 * HALF) return index;
  const shift = (index >>> (SUB_BITS - 1)) - 1;
  const width = 2 ** shift;
  const low = ((index & (HALF - 1)) + HALF) * width;
  return low + (width - 1) / 2;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(HISTOGRAM_BUCKETS);
  /** The lowest and highest non-empty buckets, so reads, merges and resets touch only the used range. */
  private lo = HISTOGRAM_BUCKETS;
  private hi = -1;
  private n = 0;
  private minMs = 0;
  private maxMs = 0;
  private sumMs = 0;

  /** Samples recorded since the last reset. */
  get count(): number {
    return this.n;
  }

  /** The largest sample recorded (exact, within the range), or 0 when empty. */
  get max(): number {
    return this.maxMs;
  }

  /** The sum of the samples recorded (as clamped to the range), for a Prometheus histogram's `_sum`. */
  get sum(): number {
    return this.sumMs;
  }

  /** The smallest sample recorded (exact), or 0 when empty. */
  get min(): number {
    return this.minMs;
  }

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0;
    else if (ms > HISTOGRAM_MAX_MS) ms = HISTOGRAM_MAX_MS;
    const i = bucketOf(Math.round(ms * UNITS_PER_MS));
    this.counts[i]! += 1;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
    if (this.n === 0 || ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.sumMs += ms;
    this.n += 1;
  }

  /**
   * The value at percentile `p` (0..100): the smallest recorded value with at
   * least p % of the samples at or below it, to the stated resolution;
   * exact for the smallest and the largest sample. 0 when empty.
   */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = this.rankOf(p);
    const counts = this.counts;
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += counts[i]!;
      if (seen >= rank) return this.report(i, rank);
    }
    return this.maxMs;
  }

  /**
   * Several percentiles in one pass over the buckets; `ps` must be in
   * ascending order. All 0 when empty.
   */
  percentiles(ps: readonly number[]): number[] {
    for (let k = 1; k < ps.length; k++) {
      if (ps[k]! < ps[k - 1]!) throw new RangeError('percentiles must be in ascending order');
    }
    const out = new Array<number>(ps.length).fill(0);
    if (this.n === 0 || ps.length === 0) return out;
    const counts = this.counts;
    let k = 0;
    let rank = this.rankOf(ps[0]!);
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += counts[i]!;
      while (seen >= rank) {
        out[k] = this.report(i, rank);
        k += 1;
        if (k === ps.length) return out;
        rank = this.rankOf(ps[k]!);
      }
    }
    return out;
  }

  /**
   * For each bound (ms, ascending), how many samples are at or below it,
   * added into `out` (one pass over the used buckets). A sample counts
   * by the value its bucket stands for (the midpoint, as percentiles report),
   * so a bound is honoured to the histogram's resolution. For the cumulative
   * buckets of a Prometheus histogram.
   */
  addCountsAtOrBelow(boundsMs: readonly number[], out: Float64Array): void {
    if (this.n === 0) return;
    const counts = this.counts;
    let k = 0;
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      const ms = valueOf(i) / UNITS_PER_MS;
      while (k < boundsMs.length && ms > boundsMs[k]!) out[k++]! += seen;
      if (k === boundsMs.length) return;
      seen += counts[i]!;
    }
    while (k < boundsMs.length) out[k++]! += seen;
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let i = other.lo; i <= other.hi; i++) this.counts[i]! += other.counts[i]!;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
    if (this.n === 0 || other.minMs < this.minMs) this.minMs = other.minMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
    this.sumMs += other.sumMs;
    this.n += other.n;
  }

  reset(): void {
    if (this.n === 0) return;
    this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = HISTOGRAM_BUCKETS;
    this.hi = -1;
    this.n = 0;
    this.minMs = 0;
    this.maxMs = 0;
    this.sumMs = 0;
  }

  /** The 1-based rank of percentile p: at least one, at most the count. */
  private rankOf(p: number): number {
    // p * n first: (99 / 100) * 10000 is not exactly 9900 in floating point.
    const r = Math.ceil((Math.min(100, Math.max(0, p)) * this.n) / 100);
    return r < 1 ? 1 : r;
  }

  /**
   * What to report for the sample of the given rank found in bucket i: the
   * smallest and largest samples are known exactly; any other is its
   * bucket's midpoint, kept within [min, max].
   */
  private report(i: number, rank: number): number {
    if (rank >= this.n) return this.maxMs;
    if (rank <= 1) return this.minMs;
    const ms = valueOf(i) / UNITS_PER_MS;
    return ms < this.minMs ? this.minMs : ms > this.maxMs ? this.maxMs : ms;
  }
}
