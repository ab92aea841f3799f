/**
 * The simulation against arithmetic: identical fixed-latency backends give
 * exactly that latency; a kill resets what the dead backend held and refuses
 * what comes after, and the real retry rule decides (GETs retried, POSTs
 * that were sent never sent twice); a saturated slow backend wrecks round
 * robin's p99 but not least connections'. And determinism and speed.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../../../core/lab/compare/builtin';
import { parseScenario, type ScenarioInput } from '../../../../core/lab/compare/scenario';
import { simulate, simulateOne } from '../../../../core/lab/compare/simulate';

const fixed = (ms: number) => ({ distribution: 'fixed' as const, ms });

describe('simulate', () => {
  it('gives the same result for the same seed, byte for byte, and a different one for another seed', () => {
    const s = builtinScenario('slow-backend');
    const a = simulate(s);
    const b = simulate(s);
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = simulate(s, s.seed + 1);
    expect(c.rows).not.toEqual(a.rows);
    expect(c.seed).toBe(s.seed + 1);
  });

  it('identical fixed-latency backends under round robin: every request takes exactly that latency, split evenly', () => {
    const s = parseScenario({
      backends: [
        { name: 'a', latency: fixed(25) },
        { name: 'b', latency: fixed(25) },
        { name: 'c', latency: fixed(25) },
      ],
      load: { mode: 'open', rate: 300, durationMs: 10_000 },
      strategies: ['round-robin'],
    });
    const [row] = simulate(s).rows;
    // Request k is sent at k * 1000/300 ms for k * 1000/300 < 10 000: k = 1..2999, 1000 to a and b, 999 to c.
    expect(row).toEqual({ strategy: 'round-robin', requests: 2999, failed: 0, retries: 0, p50: 25, p90: 25, p99: 25, max: 25, share: { a: 0.3334, b: 0.3334, c: 0.3331 }, imbalance: 0 });
  });

  it('closed loop: N clients on fixed latency send N per latency period', () => {
    const s = parseScenario({
      backends: [{ name: 'a', latency: fixed(10) }],
      load: { mode: 'closed', concurrency: 4, durationMs: 1_000 },
      strategies: ['round-robin'],
    });
    const [row] = simulate(s).rows;
    // Each client: a 10 ms request, then a 0.1 ms pause; it sends at 0, 10.1, 20.2, ... up to 999.9: 100 each.
    expect(row!.requests).toBe(400);
    expect([row!.p50, row!.max]).toEqual([10, 10]);
  });

  /** b dies at 1005 ms holding the requests k = 92, 94, ..., 100 (sent every 10 ms, 100 ms each, alternating a, b). */
  const killScenario = (method: 'GET' | 'POST'): ScenarioInput => ({
    backends: [
      { name: 'a', latency: fixed(100) },
      { name: 'b', latency: fixed(100) },
    ],
    load: { mode: 'open', rate: 100, durationMs: 1_100, requests: [{ method, path: '/', weight: 1 }], bodyBytes: method === 'POST' ? 10 : 0 },
    strategies: ['round-robin'],
    events: [{ at: 1_005, action: 'kill', backend: 'b' }],
    // No health checks and no ejection: the retry rule alone decides.
    service: { healthCheck: null, passiveHealth: { enabled: false } },
  });

  it('a kill: the GETs b held are retried, and so are the connects it refuses afterwards; nothing fails', () => {
    const [row] = simulate(parseScenario(killScenario('GET'))).rows;
    // 5 resets retried + requests 102, 104, 106, 108 refused and retried = 9; the answers all come from a.
    expect(row).toMatchObject({ requests: 109, failed: 0, retries: 9 });
    // b answered 45 requests (k = 2..90 even) before it died, a the other 64.
    expect(row!.share.b).toBeCloseTo(45 / 109, 4);
  });

  it('a kill: the POSTs b held fail (sent once, never twice); refused connects are still retried, as nothing was sent', () => {
    const [row] = simulate(parseScenario(killScenario('POST'))).rows;
    expect(row).toMatchObject({ requests: 109, failed: 5, retries: 4 });
  });

  it('a saturated slow backend: round robin p99 is at least 10 times least connections (about 19 times with seed 1)', () => {
    const [rr, lc] = simulate(builtinScenario('slow-backend')).rows;
    expect(rr!.strategy).toBe('round-robin');
    expect(lc!.strategy).toBe('least-connections');
    expect(rr!.p99).toBeGreaterThan(10 * lc!.p99);
    // charlie can take 4 / 0.15 s = 26.7 req/s; round robin sends it 33.3.
    expect(rr!.p99).toBeGreaterThan(1000);
    expect(lc!.p99).toBeLessThan(200);
  });

  it('sticky keys: hash strategies move about a quarter of the keys when a fourth backend joins, round robin nearly all', () => {
    const rows = simulate(builtinScenario('sticky-keys')).rows;
    const moved = Object.fromEntries(rows.map((r) => [r.strategy, r.keysMoved]));
    expect(moved['round-robin']).toBeGreaterThan(0.9);
    for (const s of ['ring-hash', 'maglev']) {
      expect(moved[s]).toBeGreaterThan(0.1);
      expect(moved[s]).toBeLessThan(0.45);
    }
  });

  it('simulates 60 s of traffic at least 50 times faster than real time (under 1.2 s; typically 0.05-0.2 s here)', () => {
    const s = parseScenario({ ...builtinScenario('slow-backend'), load: { mode: 'open', rate: 100, durationMs: 60_000 } });
    simulateOne(s, s.strategies[1]!); // warm up the JIT
    const t = performance.now();
    const row = simulateOne(s, s.strategies[1]!);
    const ms = performance.now() - t;
    console.log(`60 s of ${s.strategies[1]!.label} at 100 req/s simulated in ${ms.toFixed(0)} ms (${Math.round(60_000 / ms)}x real time)`);
    expect(row.requests).toBe(5999);
    expect(ms).toBeLessThan(1200);
  });
});
