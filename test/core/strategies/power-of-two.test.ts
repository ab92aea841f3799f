import { describe, expect, it } from 'vitest';
import { backends, make, none, req, scripted, seeded, shares } from './helpers';
import { expectEvenSplit, POSITIONS, runRetries, sameClient } from './retry-split';

function loaded(a: number, b: number, c: number) {
  const list = backends('a b c');
  [a, b, c].forEach((n, i) => (list[i]!.inFlight = n));
  return list;
}

describe('power-of-two', () => {
  // First draw picks rank floor(r1 * 3); the second picks among the other two, floor(r2 * 2), skipping the first.
  it.each([
    [[0, 0], 'a vs b', 'b'],
    [[0, 0.5], 'a vs c', 'c'],
    [[0.5, 0], 'b vs a', 'b'],
    [[0.99, 0.99], 'c vs b', 'c'],
    [[0.4, 0.6], 'b vs c', 'c'],
  ])('draws %j (%s) with in-flight a=2 b=1 c=0 and keeps %s', (draws, _pair, id) => {
    const deps = scripted(draws);
    expect(make('power-of-two', {}, deps).pick(loaded(2, 1, 0), req(), none)?.id).toBe(id);
    expect(deps.left()).toBe(0);
  });

  it('keeps the first drawn on a tie', () => {
    expect(make('power-of-two', {}, scripted([0.5, 0.7])).pick(loaded(0, 0, 0), req(), none)?.id).toBe('b');
    expect(make('power-of-two', {}, scripted([0.9, 0])).pick(loaded(0, 0, 0), req(), none)?.id).toBe('c');
  });

  it('compares in-flight per unit of weight', () => {
    const list = backends({ a: 1, b: 4 });
    list[0]!.inFlight = 1;
    list[1]!.inFlight = 3;
    expect(make('power-of-two', {}, scripted([0, 0])).pick(list, req(), none)?.id).toBe('b');
  });

  it('draws only among available backends, and not at all when one is left', () => {
    const list = loaded(0, 5, 9);
    list[0]!.up = false;
    expect(make('power-of-two', {}, scripted([0, 0])).pick(list, req(), none)?.id).toBe('b');
    list[1]!.up = false;
    expect(make('power-of-two', {}, scripted([])).pick(list, req(), none)?.id).toBe('c');
    list[2]!.up = false;
    expect(make('power-of-two', {}, scripted([])).pick(list, req(), none)).toBeUndefined();
  });

  it('sends 100,000 picks 2/3 : 1/3 : 0 (within 1%) when in-flight is 0, 1, 2', () => {
    const list = loaded(0, 1, 2);
    const s = make('power-of-two', {}, seeded(3));
    const share = shares(100_000, () => s.pick(list, req(), none));
    expect(Math.abs(share.a! - 2 / 3)).toBeLessThan(0.01);
    expect(Math.abs(share.b! - 1 / 3)).toBeLessThan(0.01);
    expect(share.c).toBeUndefined();
  });

  it('spreads 100,000 picks evenly (within 1%) when idle', () => {
    const list = loaded(0, 0, 0);
    const s = make('power-of-two', {}, seeded(5));
    const share = shares(100_000, () => s.pick(list, req(), none));
    for (const id of ['a', 'b', 'c']) expect(Math.abs(share[id]! - 1 / 3)).toBeLessThan(0.01);
  });

  // 300 requests drawn with seeded(42): a fair split is 50% ± 2.9% per good backend and 1/3 ± 2.7% broken-first
  // (one standard deviation each); the bands, 45-55% and at most 1/3 + 5%, are about 1.7 and 1.8 of them.
  it.each(POSITIONS)('retries past a broken backend at position %i without skewing the split', (at) => {
    const split = runRetries({ strategy: 'power-of-two', brokenAt: at, requests: sameClient(300), deps: seeded(42) });
    expectEvenSplit(split, at, 300, { share: 0.05, brokenFirst: 0.05 });
  });

  it('counts recent failures as load: b with a failure just now loses a draw against idle a and c', () => {
    const list = backends('a b c');
    list[1]!.failures = 1;
    // [0.5, 0]: b vs a, a wins; [0.99, 0.99]: c vs b, c wins.
    expect(make('power-of-two', {}, scripted([0.5, 0])).pick(list, req(), none)?.id).toBe('a');
    expect(make('power-of-two', {}, scripted([0.99, 0.99])).pick(list, req(), none)?.id).toBe('c');
  });
});
