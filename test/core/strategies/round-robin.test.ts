import { describe, expect, it } from 'vitest';
import { backends, make, scripted, sequence, shares } from './helpers';

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
    expect(sequence(s, list, 3)).toBe('b c a');
  });

  it('returns undefined when nothing is available, or for an empty list', () => {
    const list = backends('a b');
    for (const b of list) b.up = false;
    expect(sequence(make('round-robin'), list, 2)).toBe('- -');
    expect(make('round-robin').pick([], { clientAddress: '', headers: {} })).toBeUndefined();
  });

  it('never draws randomness', () => {
    const deps = scripted([]); // throws on any draw
    expect(sequence(make('round-robin', {}, deps), backends('a b'), 3)).toBe('a b a');
  });

  it('spreads 100,000 picks evenly whatever the weights (exact to one pick)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('round-robin');
    const share = shares(100_000, () => s.pick(list, { clientAddress: '', headers: {} }));
    for (const id of ['a', 'b', 'c']) expect(Math.abs(share[id]! - 1 / 3)).toBeLessThanOrEqual(1 / 100_000);
  });
});
