import { describe, expect, it } from 'vitest';
import { backends, make, none, req, scripted, sequence, shares } from './helpers';
import { expectExactSplit, POSITIONS, runRetries, sameClient } from './retry-split';

describe('least-connections', () => {
  it('rotates among tied backends instead of always taking the first', () => {
    expect(sequence(make('least-connections'), backends('a b c'), 6)).toBe('a b c a b c');
  });

  it('rotates among the tied ones when another is busier', () => {
    const list = backends('a b c');
    list[0]!.inFlight = 1;
    expect(sequence(make('least-connections'), list, 4)).toBe('b c b c');
  });

  it('compares in-flight per unit of weight', () => {
    const list = backends({ a: 1, b: 4 });
    list[0]!.inFlight = 1; // 1 per weight
    list[1]!.inFlight = 3; // 0.75 per weight
    expect(make('least-connections').pick(list, req(), none)?.id).toBe('b');
    list[1]!.inFlight = 4; // tie at 1: smooth WRR among the tied, weights 1:4, so b takes four turns in five (nginx)
    expect(sequence(make('least-connections'), list, 5)).toBe('b b a b b');
  });

  it('skips the backends a retry excludes, even the least loaded', () => {
    const list = backends('a b c');
    list[1]!.inFlight = 2;
    list[2]!.inFlight = 1;
    const s = make('least-connections');
    expect(s.pick(list, req(), new Set(['a']))?.id).toBe('c');
    expect(s.pick(list, req(), new Set(['a', 'c']))?.id).toBe('b');
    expect(s.pick(list, req(), new Set(['a', 'b', 'c']))).toBeUndefined();
  });

  it('follows the load as requests stay in flight (weights 1:2:3)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('least-connections');
    const out: string[] = [];
    for (let i = 0; i < 9; i++) {
      const b = s.pick(list, req(), none)!;
      b.inFlight++;
      out.push(b.id);
    }
    // All idle at first: the tie goes to the heaviest (smooth WRR), then always the least loaded per weight.
    expect(out.join(' ')).toBe('c b a c b c a b c');
  });

  it('skips unavailable backends even when they are idle', () => {
    const list = backends('a b c');
    list[0]!.up = false;
    list[1]!.inFlight = 5;
    list[2]!.inFlight = 9;
    expect(sequence(make('least-connections'), list, 2)).toBe('b b');
    for (const b of list) b.up = false;
    expect(make('least-connections').pick(list, req(), none)).toBeUndefined();
  });

  it('never draws randomness', () => {
    expect(sequence(make('least-connections', {}, scripted([])), backends('a b'), 3)).toBe('a b a');
  });

  it('keeps 100,000 held requests in proportion 1:2:3 (to one pick)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('least-connections');
    const share = shares(100_000, () => {
      const b = s.pick(list, req(), none)!;
      b.inFlight++;
      return b;
    });
    expect(Math.abs(share.a! - 1 / 6)).toBeLessThanOrEqual(1 / 100_000);
    expect(Math.abs(share.b! - 2 / 6)).toBeLessThanOrEqual(1 / 100_000);
    expect(Math.abs(share.c! - 3 / 6)).toBeLessThanOrEqual(1 / 100_000);
  });

  it.each(POSITIONS)('retries past a broken backend at position %i without skewing: 150/150, broken tried first 100 times in 300', (at) => {
    // Sequential requests (in-flight 0 between them), no health checks: only the exclusion keeps the turns.
    expectExactSplit(runRetries({ strategy: 'least-connections', brokenAt: at, requests: sameClient(300), deps: scripted([]) }), at, 300);
  });

  it('counts recent failures as load: a backend that fails at once does not look idle', () => {
    const list = backends('a b c');
    list[1]!.failures = 1; // b failed a moment ago: as loaded as one request in flight
    expect(sequence(make('least-connections'), list, 4)).toBe('a c a c');
    list[0]!.inFlight = 1;
    list[2]!.inFlight = 1;
    expect(sequence(make('least-connections'), list, 3), 'ties at 1 include b again').toBe('a b c');
  });

  it.each(POSITIONS)('with failures fed back (as the proxy does) the broken backend at %i is tried first twice in 3 s, the split stays 150/150', (at) => {
    let clock = 1000;
    const deps = { now: () => clock, random: () => 0 };
    const split = runRetries({
      strategy: 'least-connections',
      brokenAt: at,
      requests: sameClient(300),
      deps,
      attempted: (b, ok) => {
        if (!ok) b.observeFailure(500, clock);
        clock += 10; // 300 requests over 3 s
      },
    });
    expect(split.unserved).toBe(0);
    expect(Object.values(split.served)).toEqual([150, 150]);
    // One failure weighs until it decays below half (2 s x ln 2 = 1.39 s), then it is tried again; the second
    // failure adds to what is left (1.5, so 2 s x ln 3 = 2.2 s): 3 s of requests see it tried first twice.
    expect(split.brokenFirst).toBe(2);
  });
});
