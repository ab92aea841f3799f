import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { backends, make, none, req, scripted, seeded, shares } from './helpers';
import { expectEvenSplit, POSITIONS, runRetries, sameClient } from './retry-split';

/** A failed attempt's penalty as the proxy passes it: the service's connect timeout (1 s here). */
const PENALTY_MS = 1000;

function real(id: string): Backend {
  return new Backend({ url: `http://127.0.0.1:${id === 'fast' ? 3001 : 3002}`, weight: 1, state: 'active', backup: false }, id);
}

/** The retry run with a clock that moves 1 ms per attempt; good answers take 5 ms, failures are fed as PENALTY_MS when `penalize`. */
function retried(at: number, penalize: boolean) {
  let clock = 1_000;
  const rng = seeded(42);
  return runRetries({
    strategy: 'peak-ewma',
    brokenAt: at,
    requests: sameClient(300),
    deps: { now: () => clock, random: rng.random },
    attempted(b, ok) {
      clock += 1;
      if (ok) b.observeLatency(5, clock);
      else if (penalize) b.observeFailure(PENALTY_MS, clock);
    },
  });
}

function timed(latencies: Record<string, number>) {
  const list = backends(Object.keys(latencies).join(' '));
  for (const b of list) b.latency = latencies[b.id]!;
  return list;
}

describe('peak-ewma', () => {
  it.each([
    [[0, 0], 'a'],
    [[0.9, 0], 'a'],
  ])('prefers the lower latency whatever the draw order %j', (draws, id) => {
    expect(make('peak-ewma', {}, scripted(draws)).pick(timed({ a: 10, b: 50 }), req(), none)?.id).toBe(id);
  });

  // a=10 ms, b=20 ms, c=40 ms; the pair is decided by the two draws.
  it.each([
    [[0, 0], 'a'],
    [[0.5, 0.9], 'b'],
    [[0.9, 0.9], 'b'],
    [[0.9, 0], 'a'],
  ])('draws %j and keeps %s', (draws, id) => {
    expect(make('peak-ewma', {}, scripted(draws)).pick(timed({ a: 10, b: 20, c: 40 }), req(), none)?.id).toBe(id);
  });

  it('weighs latency by load: cost = latency x (in-flight + 1)', () => {
    const list = timed({ a: 10, b: 20 });
    list[0]!.inFlight = 9; // 100 against 20
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req(), none)?.id).toBe('b');
  });

  it('tries a backend that has no latency sample yet', () => {
    const list = timed({ a: 10, fresh: 0 });
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req(), none)?.id).toBe('fresh');
  });

  it('does not flood an unobserved backend that already has requests in flight', () => {
    const list = timed({ a: 500, fresh: 0 });
    list[1]!.inFlight = 1;
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req(), none)?.id).toBe('a');
  });

  it('reads the estimate at deps.now() from real backends', () => {
    const slow = new Backend({ url: 'http://127.0.0.1:3001', weight: 1, state: 'active', backup: false }, 'slow');
    const fast = new Backend({ url: 'http://127.0.0.1:3002', weight: 1, state: 'active', backup: false }, 'fast');
    slow.observeLatency(200, 1_000);
    fast.observeLatency(20, 1_000);
    expect(make('peak-ewma', {}, scripted([0, 0], 1_000)).pick([slow, fast], req(), none)?.id).toBe('fast');
    // A minute later slow's estimate has decayed to 200 e^-5.9 ≈ 0.5 ms, below fast's fresh 20 ms: slow is probed again.
    fast.observeLatency(20, 60_000);
    expect(make('peak-ewma', {}, scripted([0, 0], 60_000)).pick([slow, fast], req(), none)?.id).toBe('slow');
  });

  it('skips unavailable backends and returns undefined when none is left', () => {
    const list = timed({ a: 10, b: 50 });
    list[0]!.up = false;
    expect(make('peak-ewma', {}, scripted([])).pick(list, req(), none)?.id).toBe('b');
    list[1]!.up = false;
    expect(make('peak-ewma', {}, scripted([])).pick(list, req(), none)).toBeUndefined();
  });

  it('sends 100,000 picks 2/3 : 1/3 : 0 (within 1%) with latencies 10, 20, 40 ms', () => {
    const list = timed({ a: 10, b: 20, c: 40 });
    const s = make('peak-ewma', {}, seeded(11));
    const share = shares(100_000, () => s.pick(list, req(), none));
    expect(Math.abs(share.a! - 2 / 3)).toBeLessThan(0.01);
    expect(Math.abs(share.b! - 1 / 3)).toBeLessThan(0.01);
    expect(share.c).toBeUndefined();
  });

  it('counts a failure as a peak of at least the penalty, which then decays', () => {
    const b = real('b');
    b.observeFailure(PENALTY_MS, 1_000);
    expect(b.latencyEstimate(1_000)).toBe(1_000);
    expect(b.latencyEstimate(11_000)).toBeCloseTo(1_000 * Math.exp(-1), 6); // tau 10 s
    // A failure never lowers the estimate: max(penalty, current).
    b.observeLatency(3_000, 11_000);
    b.observeFailure(PENALTY_MS, 11_000);
    expect(b.latencyEstimate(11_000)).toBe(3_000);
    b.observeFailure(500, 21_000);
    expect(b.latencyEstimate(21_000)).toBeCloseTo(3_000 * Math.exp(-1), 6);
  });

  it.each([
    [[0, 0]],
    [[0.9, 0]],
  ])('avoids a backend whose attempt failed, however fast the failure (draws %j)', (draws) => {
    const fast = real('fast');
    const failing = real('failing');
    fast.observeLatency(20, 1_000);
    // Refused in 1 ms: as a latency sample this would make it look the fastest; as a failure it costs the penalty.
    failing.observeFailure(PENALTY_MS, 1_000);
    expect(make('peak-ewma', {}, scripted(draws, 1_000)).pick([fast, failing], req(), none)?.id).toBe('fast');
    expect(make('peak-ewma', {}, scripted(draws, 1_000)).pick([failing, fast], req(), none)?.id).toBe('fast');
  });

  // Good backends answer in 5 ms, the broken one fails every attempt and each failure is fed as the penalty: it is
  // tried first once (while still unobserved it costs 0), then never while its penalty outweighs 5 ms.
  it.each(POSITIONS)('retries past a broken backend at position %i: an even split, the broken one tried first once', (at) => {
    const split = retried(at, true);
    expectEvenSplit(split, at, 300, { share: 0.05, brokenFirst: 0 });
    expect(split.brokenFirst).toBe(1);
  });

  it('without the failure penalty a fast-failing backend wins every draw it is in (why observeFailure exists)', () => {
    const split = retried(1, false);
    expect(split.brokenFirst / 300).toBeGreaterThan(0.6); // two draws in three contain it
  });
});
