/** The next-picks preview: computed on a copy of the strategy's state, it consumes nothing. */
import { describe, expect, it } from 'vitest';
import { Pool } from '../../../core/strategies/pool';
import { getStrategy } from '../../../core/strategies/registry';
import { backends, req, seeded, type FakeBackend } from '../strategies/helpers';

const pool = (name: string, list: FakeBackend[]) => {
  const p = new Pool<FakeBackend>(getStrategy(name), {}, seeded());
  p.setBackends(list);
  return p;
};
const ids = (list: Array<{ id: string }> | undefined) => list?.map((b) => b.id).join(' ');
const picks = (p: Pool<FakeBackend>, n: number) => Array.from({ length: n }, () => p.pick(req())?.id).join(' ');

describe('strategy preview', () => {
  it('weighted round robin 5,1,1: the preview is the sequence, and the picks after it are the same sequence', () => {
    const p = pool('weighted-round-robin', backends({ a: 5, b: 1, c: 1 }));
    expect(ids(p.preview(7, req()))).toBe('a a b a c a a');
    expect(ids(p.preview(7, req()))).toBe('a a b a c a a');
    expect(picks(p, 7)).toBe('a a b a c a a');
  });

  it('continues from where the real rotation is, and still consumes nothing', () => {
    const p = pool('weighted-round-robin', backends({ a: 5, b: 1, c: 1 }));
    expect(picks(p, 2)).toBe('a a');
    expect(ids(p.preview(5, req()))).toBe('b a c a a');
    expect(picks(p, 5)).toBe('b a c a a');
  });

  it('round robin skips a backend that is down, as the picks will', () => {
    const list = backends('a b c');
    const p = pool('round-robin', list);
    list[1]!.up = false;
    expect(ids(p.preview(4, req()))).toBe('a c a c');
    expect(picks(p, 4)).toBe('a c a c');
  });

  it('has none for strategies whose next pick depends on load or chance', () => {
    for (const name of ['least-connections', 'random', 'power-of-two', 'peak-ewma', 'ring-hash', 'maglev']) {
      expect(pool(name, backends('a b c')).preview(3, req()), name).toBeUndefined();
    }
  });
});
