/**
 * Latency models for demo backends: how long a request is "worked on" once
 * it holds a capacity slot. Pure and driven by an injected `random`, so a
 * table of scripted randomness pins every value.
 *
 * - `fixed`: always `ms`.
 * - `uniform`: uniformly within `ms ± jitterMs` (clamped at 0), so `ms` is the mean.
 * - `long-tail`: log-normal with median `ms` and p99 = `tail × ms`
 *   (σ = ln(tail) / z₀.₉₉). With the default tail of 5 the p99 is five times
 *   the median and the p99.9 about eight times, the shape of a real service
 *   with GC pauses and slow queries; the mean is `ms · e^{σ²/2}`, a little
 *   above the median. `jitterMs` does not apply.
 *
 * Every sample is capped at `LATENCY_MAX_MS`.
 */
import { z } from 'zod';

/** No single demo request takes longer than this. */
export const LATENCY_MAX_MS = 60_000;

/** The standard normal's 99th percentile. */
const Z99 = 2.3263478740408408;

export const LatencyDistributionSchema = z.enum(['fixed', 'uniform', 'long-tail']);
export type LatencyDistribution = z.infer<typeof LatencyDistributionSchema>;

export const LatencySchema = z.strictObject({
  distribution: LatencyDistributionSchema.default('fixed'),
  ms: z.number().min(0).max(LATENCY_MAX_MS).default(10).describe('fixed: the latency; uniform: the mean; long-tail: the median.'),
  jitterMs: z.number().min(0).max(LATENCY_MAX_MS).default(0).describe('uniform: half the spread, samples fall in ms ± jitterMs.'),
  tail: z.number().min(1).max(100).default(5).describe('long-tail: p99 as a multiple of the median.'),
});
export type LatencySpec = z.infer<typeof LatencySchema>;
export type LatencyInput = z.input<typeof LatencySchema>;

/** One latency in ms drawn from the model; `random` returns values in [0, 1). */
export function sampleLatency(spec: LatencySpec, random: () => number): number {
  let ms: number;
  switch (spec.distribution) {
    case 'fixed':
      ms = spec.ms;
      break;
    case 'uniform':
      ms = spec.ms + (2 * random() - 1) * spec.jitterMs;
      break;
    case 'long-tail':
      ms = spec.ms * Math.exp((Math.log(spec.tail) / Z99) * standardNormal(random));
      break;
  }
  return Math.min(LATENCY_MAX_MS, Math.max(0, ms));
}

/** A standard normal sample by Box-Muller; takes two uniforms. */
export function standardNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: keeps log() finite
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
