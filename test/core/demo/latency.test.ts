import { describe, expect, it } from 'vitest';
import { LATENCY_MAX_MS, LatencySchema, sampleLatency } from '../../../core/demo/latency';
import { seeded } from '../faults/sampling';

/** Returns the given values in turn, forever. */
function scripted(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

const spec = (input: Parameters<typeof LatencySchema.parse>[0]) => LatencySchema.parse(input);

describe('sampleLatency', () => {
  it('fixed is always ms and draws nothing', () => {
    const random = () => {
      throw new Error('fixed latency must not draw');
    };
    expect(sampleLatency(spec({ distribution: 'fixed', ms: 50, jitterMs: 20 }), random)).toBe(50);
  });

  it.each([
    [0, 30],
    [0.25, 40],
    [0.5, 50],
    [0.75, 60],
  ])('uniform maps random %f to %f ms within ms ± jitterMs', (r, ms) => {
    expect(sampleLatency(spec({ distribution: 'uniform', ms: 50, jitterMs: 20 }), scripted(r))).toBeCloseTo(ms, 9);
  });

  it('uniform is clamped at 0', () => {
    expect(sampleLatency(spec({ distribution: 'uniform', ms: 5, jitterMs: 20 }), scripted(0))).toBe(0);
  });

  it('long-tail gives the median for a zero normal and tail × median at the 99th percentile', () => {
    const s = spec({ distribution: 'long-tail', ms: 60, tail: 5 });
    // Box-Muller with u1 = 1 - e^{-z²/2}, u2 = 0 gives exactly z.
    const at = (z: number) => sampleLatency(s, scripted(1 - Math.exp((-z * z) / 2), 0));
    expect(at(0)).toBeCloseTo(60, 9);
    expect(at(2.3263478740408408)).toBeCloseTo(300, 6);
  });

  it('long-tail has p99 about tail times the median over many samples', () => {
    const s = spec({ distribution: 'long-tail', ms: 20, tail: 6 });
    const random = seeded(42);
    const samples = Array.from({ length: 50_000 }, () => sampleLatency(s, random)).sort((a, b) => a - b);
    const p50 = samples[25_000]!;
    const p99 = samples[49_500]!;
    expect(p50).toBeGreaterThan(19);
    expect(p50).toBeLessThan(21);
    expect(p99 / p50).toBeGreaterThan(5.4);
    expect(p99 / p50).toBeLessThan(6.6);
  });

  it('never exceeds the cap', () => {
    const s = spec({ distribution: 'long-tail', ms: 50_000, tail: 100 });
    expect(sampleLatency(s, scripted(1 - 1e-12, 0))).toBe(LATENCY_MAX_MS);
  });
});
