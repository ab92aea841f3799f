/**
 * Seeded randomness for the simulation: mulberry32, a small 32-bit PRNG
 * that is fast and good enough for sampling latencies and arrivals (not for
 * anything secret). Each consumer gets its own stream derived from the
 * scenario's seed, so one strategy's picks never shift the traffic another
 * strategy sees.
 */

/** Uniform in [0, 1), the same sequence for the same seed on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream's seed: the scenario seed mixed with the stream's number (splitmix32's finaliser). */
export function streamSeed(seed: number, stream: number): number {
  let z = (seed + Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
