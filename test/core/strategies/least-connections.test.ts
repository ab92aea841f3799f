import { describe, expect, it } from 'vitest';
import { backends, make, req, scripted, sequence, shares } from './helpers';

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
    expect(make('least-connections').pick(list, req())?.id).toBe('b');
    list[1]!.inFlight = 4; // tie at 1: the scan starts at a
    expect(make('least-connections').pick(list, req())?.id).toBe('a');
  });

  it('follows the load as requests stay in flight (weights 1:2:3)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('least-connections');
    const out: string[] = [];
    for (let i = 0; i < 9; i++) {
      const b = s.pick(list, req())!;
      b.inFlight++;
      out.push(b.id);
    }
    expect(out.join(' ')).toBe('a b c c b c a b c');
  });

  it('skips unavailable backends even when they are idle', () => {
    const list = backends('a b c');
    list[0]!.up = false;
    list[1]!.inFlight = 5;
    list[2]!.inFlight = 9;
    expect(sequence(make('least-connections'), list, 2)).toBe('b b');
    for (const b of list) b.up = false;
    expect(make('least-connections').pick(list, req())).toBeUndefined();
  });

  it('never draws randomness', () => {
    expect(sequence(make('least-connections', {}, scripted([])), backends('a b'), 3)).toBe('a b a');
  });

  it('keeps 100,000 held requests in proportion 1:2:3 (to one pick)', () => {
    const list = backends({ a: 1, b: 2, c: 3 });
    const s = make('least-connections');
    const share = shares(100_000, () => {
      const b = s.pick(list, req())!;
      b.inFlight++;
      return b;
    });
    expect(Math.abs(share.a! - 1 / 6)).toBeLessThanOrEqual(1 / 100_000);
    expect(Math.abs(share.b! - 2 / 6)).toBeLessThanOrEqual(1 / 100_000);
    expect(Math.abs(share.c! - 3 / 6)).toBeLessThanOrEqual(1 / 100_000);
  });
});
