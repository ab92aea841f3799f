import { describe, expect, it } from 'vitest';
import { backends, make, none, scripted, sequence, shares } from './helpers';
import { expectExactSplit, POSITIONS, runRetries, sameClient } from './retry-split';

describe('round-robin', () => {
  it('rotates through the backends in order', () => {
    const list = backends('a b c');
    expect(sequence(make('round-robin'), list, 7)).toBe('a b c a b c a');
  });

  it('ignores weights', () => {
    expect(sequence(make('round-robin'), backends({ a: 5, b: 1, c: 1 }), 6)).toBe('a b c a b c');
  });

  it('skips a backend that is down without giving its turns to the next one', () => {
    const list = backends('a b c d');
    list[1]!.up = false;
    expect(sequence(make('round-robin'), list, 6)).toBe('a c d a c d');
  });

  it('picks up a backend that comes back', () => {
    const list = backends('a b c');
    const s = make('round-robin');
    list[1]!.up = false;
    expect(sequence(s, list, 3)).toBe('a c a');
    list[1]!.up = true;
    // Smooth rotation: after a c a the current weights are a -1, b 0, c +1, so c goes first, then b rejoins; one turn each in three.
    expect(sequence(s, list, 6)).toBe('c b a c b a');
  });

  it('returns undefined when nothing is available, or for an empty list', () => {
    const list = backends('a b');
    for (const b of list) b.up = false;
    expect(sequence(make('round-robin'), list, 2)).toBe('- -');
    expect(make('round-robin').pick([], { clientAddress: '', headers: {} }, none)).toBeUndefined();
  });

  it('never draws randomness', () => {
    const deps = scripted([]); // throws on any draw
    expect(sequence(make('round-robin', {}, deps), backends('a b'), 3)).toBe('a b a');
  });

  it('spreads 100,000 picks evenly whatever the weights (exact to one pick)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('round-robin');
    const share = shares(100_000, () => s.pick(list, { clientAddress: '', headers: {} }, none));
    for (const id of ['a', 'b', 'c']) expect(Math.abs(share[id]! - 1 / 3)).toBeLessThanOrEqual(1 / 100_000);
  });

  it.each(POSITIONS)('retries past a broken backend at position %i without skewing: 150/150, broken tried first 100 times in 300', (at) => {
    // Sequential requests (in-flight 0 between them), no health checks: only the exclusion keeps the turns.
    expectExactSplit(runRetries({ strategy: 'round-robin', brokenAt: at, requests: sameClient(300), deps: scripted([]) }), at, 300);
  });
});
