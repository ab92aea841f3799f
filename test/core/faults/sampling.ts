/**
 * Randomness and statistics for tests that check rates and distributions:
 * a seeded PRNG, a median, and a binomial count checked within k sigma.
 */
import { expect } from 'vitest';

/** A small seeded PRNG (the simulation's mulberry32): the same draws every run. */
export { mulberry32 as seeded } from '../../../core/lab/compare/prng';

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Expects `count` hits out of `n` draws of probability `p` to lie within `sigmas` standard deviations of n·p. */
export function expectBinomial(count: number, n: number, p: number, sigmas = 4): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p)).toBeLessThanOrEqual(sigmas * sigma);
}
