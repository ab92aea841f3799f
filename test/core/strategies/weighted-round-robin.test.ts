import { describe, expect, it } from 'vitest';
import { backends, make, none, req, scripted, sequence, shares } from './helpers';
import { expectExactSplit, POSITIONS, runRetries, sameClient } from './retry-split';

describe('weighted-round-robin', () => {
  it('interleaves weights 5:1:1 smoothly, as nginx does', () => {
    const s = make('weighted-round-robin');
    const list = backends({ a: 5, b: 1, c: 1 });
    expect(sequence(s, list, 7)).toBe('a a b a c a a');
    expect(sequence(s, list, 7)).toBe('a a b a c a a');
  });

  it('gives weights 1:2:3 the order c b a c b c', () => {
    expect(sequence(make('weighted-round-robin'), backends({ a: 1, b: 2, c: 3 }), 6)).toBe('c b a c b c');
  });

  it('is plain rotation with equal weights', () => {
    expect(sequence(make('weighted-round-robin'), backends('a b c'), 6)).toBe('a b c a b c');
  });

  it('shares among the available backends when one is down', () => {
    const list = backends({ a: 5, b: 1, c: 1 });
    list[0]!.up = false;
    expect(sequence(make('weighted-round-robin'), list, 4)).toBe('b c b c');
  });

  it('leaves a backend the retry excludes out of the round, its current weight untouched (nginx)', () => {
    const s = make('weighted-round-robin');
    const list = backends({ a: 5, b: 1, c: 1 });
    const tried = new Set(['a']);
    expect([s.pick(list, req(), tried)?.id, s.pick(list, req(), tried)?.id].join(' ')).toBe('b c');
    // a kept 0 and b, c are back at 0 after one turn each: the plain sequence follows from its start.
    expect(sequence(s, list, 7)).toBe('a a b a c a a');
    expect(s.pick(list, req(), new Set(['a', 'b', 'c']))).toBeUndefined();
  });

  it('returns undefined when nothing is available', () => {
    const list = backends({ a: 2, b: 1 });
    for (const b of list) b.up = false;
    expect(make('weighted-round-robin').pick(list, req(), none)).toBeUndefined();
  });

  it('starts the smooth sequence over after refresh', () => {
    const s = make('weighted-round-robin');
    const list = backends({ a: 5, b: 1, c: 1 });
    expect(sequence(s, list, 3)).toBe('a a b');
    s.refresh?.(list);
    expect(sequence(s, list, 3)).toBe('a a b');
  });

  it('never draws randomness', () => {
    expect(sequence(make('weighted-round-robin', {}, scripted([])), backends({ a: 2, b: 1 }), 3)).toBe('a b a');
  });

  it('gives 100,000 picks shares of exactly 1:2:3 (to two picks)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('weighted-round-robin');
    const share = shares(100_000, () => s.pick(list, req(), none));
    expect(Math.abs(share.a! - 1 / 6)).toBeLessThanOrEqual(2 / 100_000);
    expect(Math.abs(share.b! - 2 / 6)).toBeLessThanOrEqual(2 / 100_000);
    expect(Math.abs(share.c! - 3 / 6)).toBeLessThanOrEqual(2 / 100_000);
  });

  it.each(POSITIONS)('retries past a broken backend at position %i without skewing: 150/150, broken tried first 100 times in 300', (at) => {
    // Sequential requests (in-flight 0 between them), no health checks: only the exclusion keeps the turns.
    expectExactSplit(runRetries({ strategy: 'weighted-round-robin', brokenAt: at, requests: sameClient(300), deps: scripted([]) }), at, 300);
  });
});
