import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { backends, make, req, scripted, seeded, shares } from './helpers';

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
    expect(make('peak-ewma', {}, scripted(draws)).pick(timed({ a: 10, b: 50 }), req())?.id).toBe(id);
  });

  // a=10 ms, b=20 ms, c=40 ms; the pair is decided by the two draws.
  it.each([
    [[0, 0], 'a'],
    [[0.5, 0.9], 'b'],
    [[0.9, 0.9], 'b'],
    [[0.9, 0], 'a'],
  ])('draws %j and keeps %s', (draws, id) => {
    expect(make('peak-ewma', {}, scripted(draws)).pick(timed({ a: 10, b: 20, c: 40 }), req())?.id).toBe(id);
  });

  it('weighs latency by load: cost = latency x (in-flight + 1)', () => {
    const list = timed({ a: 10, b: 20 });
    list[0]!.inFlight = 9; // 100 against 20
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req())?.id).toBe('b');
  });

  it('tries a backend that has no latency sample yet', () => {
    const list = timed({ a: 10, fresh: 0 });
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req())?.id).toBe('fresh');
  });

  it('does not flood an unobserved backend that already has requests in flight', () => {
    const list = timed({ a: 500, fresh: 0 });
    list[1]!.inFlight = 1;
    expect(make('peak-ewma', {}, scripted([0, 0])).pick(list, req())?.id).toBe('a');
  });

  it('reads the estimate at deps.now() from real backends', () => {
    const slow = new Backend({ url: 'http://127.0.0.1:3001', weight: 1, state: 'active', backup: false }, 'slow');
    const fast = new Backend({ url: 'http://127.0.0.1:3002', weight: 1, state: 'active', backup: false }, 'fast');
    slow.observeLatency(200, 1_000);
    fast.observeLatency(20, 1_000);
    expect(make('peak-ewma', {}, scripted([0, 0], 1_000)).pick([slow, fast], req())?.id).toBe('fast');
    // A minute later slow's estimate has decayed to 200 e^-5.9 ≈ 0.5 ms, below fast's fresh 20 ms: slow is probed again.
    fast.observeLatency(20, 60_000);
    expect(make('peak-ewma', {}, scripted([0, 0], 60_000)).pick([slow, fast], req())?.id).toBe('slow');
  });

  it('skips unavailable backends and returns undefined when none is left', () => {
    const list = timed({ a: 10, b: 50 });
    list[0]!.up = false;
    expect(make('peak-ewma', {}, scripted([])).pick(list, req())?.id).toBe('b');
    list[1]!.up = false;
    expect(make('peak-ewma', {}, scripted([])).pick(list, req())).toBeUndefined();
  });

  it('sends 100,000 picks 2/3 : 1/3 : 0 (within 1%) with latencies 10, 20, 40 ms', () => {
    const list = timed({ a: 10, b: 20, c: 40 });
    const s = make('peak-ewma', {}, seeded(11));
    const share = shares(100_000, () => s.pick(list, req()));
    expect(Math.abs(share.a! - 2 / 3)).toBeLessThan(0.01);
    expect(Math.abs(share.b! - 1 / 3)).toBeLessThan(0.01);
    expect(share.c).toBeUndefined();
  });
});
