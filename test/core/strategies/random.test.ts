import { describe, expect, it } from 'vitest';
import { backends, make, none, req, scripted, seeded, shares } from './helpers';
import { expectEvenSplit, POSITIONS, runRetries, sameClient } from './retry-split';

describe('random', () => {
  // Weights 1:2:3 split [0, 1) into [0, 1/6) a, [1/6, 1/2) b, [1/2, 1) c.
  it.each([
    [0, 'a'],
    [0.16, 'a'],
    [1 / 6, 'b'],
    [0.49, 'b'],
    [0.5, 'c'],
    [0.999999, 'c'],
  ])('maps random() = %s to %s', (r, id) => {
    const deps = scripted([r]);
    expect(make('random', {}, deps).pick(backends({ a: 1, b: 2, c: 3 }), req(), none)?.id).toBe(id);
    expect(deps.left()).toBe(0);
  });

  it.each([
    [0, 'a'],
    [0.24, 'a'],
    [0.25, 'c'],
    [0.9, 'c'],
  ])('leaves a down backend out of the draw: random() = %s gives %s', (r, id) => {
    const list = backends({ a: 1, b: 2, c: 3 });
    list[1]!.up = false;
    expect(make('random', {}, scripted([r])).pick(list, req(), none)?.id).toBe(id);
  });

  it('returns undefined without drawing when nothing is available', () => {
    const list = backends('a b');
    for (const b of list) b.up = false;
    expect(make('random', {}, scripted([])).pick(list, req(), none)).toBeUndefined();
  });

  it('gives 100,000 picks shares within 1% of 1:2:3', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('random', {}, seeded(7));
    const share = shares(100_000, () => s.pick(list, req(), none));
    expect(Math.abs(share.a! - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share.b! - 2 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share.c! - 3 / 6)).toBeLessThan(0.01);
  });

  // 300 requests drawn with seeded(42): a fair split is 50% ± 2.9% per good backend and 1/3 ± 2.7% broken-first
  // (one standard deviation each); the bands, 45-55% and at most 1/3 + 5%, are about 1.7 and 1.8 of them.
  it.each(POSITIONS)('retries past a broken backend at position %i without skewing the split', (at) => {
    const split = runRetries({ strategy: 'random', brokenAt: at, requests: sameClient(300), deps: seeded(42) });
    expectEvenSplit(split, at, 300, { share: 0.05, brokenFirst: 0.05 });
  });
});
