import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { PassiveHealthSchema, type PassiveHealthSpec } from '../../../core/model/spec';
import { OutlierDetector, type BackendReturn, type Ejection } from '../../../core/health/passive';

function setup(over: Partial<PassiveHealthSpec> = {}, count = 4) {
  const spec = PassiveHealthSchema.parse({
    consecutive5xx: 3,
    consecutiveErrors: 3,
    windowMs: 1000,
    baseEjectionMs: 10_000,
    maxEjectionMs: 60_000,
    maxEjectedPercent: 50,
    ...over,
  });
  const backends = Array.from({ length: count }, (_, i) => new Backend({ url: `http://127.0.0.1:${3001 + i}`, weight: 1, state: 'active', backup: false }));
  const ejections: Ejection[] = [];
  const returns: BackendReturn[] = [];
  const d = new OutlierDetector(spec, { onEject: (e) => ejections.push(e), onReturn: (r) => returns.push(r) });
  d.setBackends(backends);
  return { d, backends, ejections, returns, b: backends[0]! };
}

const s500 = { status: 500 };
const s503 = { status: 503 };
const ok = { status: 200 };

describe('OutlierDetector', () => {
  it('ejects after exactly N consecutive 5xx, naming the cause', () => {
    const { d, b, ejections } = setup();
    expect(d.onOutcome(b, s500, 0)).toBeUndefined();
    expect(d.onOutcome(b, s500, 10)).toBeUndefined();
    expect(b.ejected).toBe(false);
    const e = d.onOutcome(b, s503, 20);
    expect(b.ejected).toBe(true);
    expect(b.available()).toBe(false);
    expect(e).toEqual({ backend: b, cause: '3 consecutive 5xx (last: 503)', durationMs: 10_000 });
    expect(ejections).toEqual([e]);
  });

  it('does not eject when a success breaks the streak', () => {
    const { d, b, ejections } = setup();
    for (const [i, o] of [s500, s500, ok, s500, s500, { status: 404 }, s500, s500].entries()) d.onOutcome(b, o, i);
    expect(b.ejected).toBe(false);
    expect(ejections).toEqual([]);
    expect(d.info(b, 10)).toMatchObject({ consecutive5xx: 2, consecutiveErrors: 0 });
  });

  it('ejects after N consecutive errors of any kind, naming the last', () => {
    const { d, b, ejections } = setup();
    d.onOutcome(b, { error: 'timeout' }, 0);
    d.onOutcome(b, { error: 'reset' }, 1);
    d.onOutcome(b, { error: 'refused' }, 2);
    expect(ejections.map((e) => e.cause)).toEqual(['3 consecutive connect errors (last: refused)']);
  });

  it('keeps the 5xx and error streaks apart; a success resets both', () => {
    const { d, b } = setup();
    d.onOutcome(b, s500, 0);
    d.onOutcome(b, { error: 'refused' }, 1);
    d.onOutcome(b, s500, 2);
    d.onOutcome(b, { error: 'refused' }, 3);
    expect(d.info(b, 4)).toMatchObject({ consecutive5xx: 2, consecutiveErrors: 2, ejected: false });
    d.onOutcome(b, {}, 5); // a clean TCP session counts as a success
    expect(d.info(b, 6)).toMatchObject({ consecutive5xx: 0, consecutiveErrors: 0 });
  });

  it('forgets a failure older than the window', () => {
    const { d, b } = setup({ windowMs: 1000 });
    d.onOutcome(b, s500, 0);
    d.onOutcome(b, s500, 1000); // exactly the window: still counts
    d.onOutcome(b, s500, 2001); // 1001 ms after the previous one: the streak starts over
    expect(b.ejected).toBe(false);
    expect(d.info(b, 2001)?.consecutive5xx).toBe(1);
    d.onOutcome(b, s500, 2500);
    d.onOutcome(b, s500, 3000);
    expect(b.ejected).toBe(true);
  });

  it('sweep returns a backend when its period ends, not before', () => {
    const { d, b, returns } = setup();
    for (const t of [0, 1, 2]) d.onOutcome(b, s500, t);
    expect(d.nextReturnAt()).toBe(10_002);
    expect(d.sweep(10_001)).toEqual([]);
    expect(b.ejected).toBe(true);
    expect(d.sweep(10_002)).toEqual([b]);
    expect(b.ejected).toBe(false);
    expect(returns).toEqual([{ backend: b, cause: 'ejection period ended' }]);
    expect(d.nextReturnAt()).toBeUndefined();
    expect(d.sweep(99_999)).toEqual([]);
  });

  it('ignores outcomes while ejected and starts fresh streaks after return', () => {
    const { d, b, ejections } = setup();
    for (const t of [0, 1, 2]) d.onOutcome(b, s500, t);
    for (const t of [3, 4, 5, 6]) d.onOutcome(b, s500, t); // in-flight requests finishing late
    expect(ejections).toHaveLength(1);
    d.sweep(10_002);
    d.onOutcome(b, s500, 10_003);
    d.onOutcome(b, s500, 10_004);
    expect(b.ejected).toBe(false);
  });

  it('doubles the ejection on each repeat, up to the cap', () => {
    const { d, b, ejections } = setup({ baseEjectionMs: 10_000, maxEjectionMs: 50_000 });
    let t = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) d.onOutcome(b, s500, t++);
      const until = d.nextReturnAt()!;
      t = until;
      d.sweep(t); // returned, and failing again at once
    }
    expect(ejections.map((e) => e.durationMs)).toEqual([10_000, 20_000, 40_000, 50_000, 50_000]);
  });

  it('lets the back-off decay by one step per clean base period', () => {
    const { d, b, ejections } = setup({ baseEjectionMs: 10_000, maxEjectionMs: 300_000 });
    const fail3 = (t: number) => [0, 1, 2].forEach((i) => d.onOutcome(b, s500, t + i));
    /** Sweeps at the exact end of the current ejection; returns that time. */
    const comeBack = () => {
      const t = d.nextReturnAt()!;
      expect(d.sweep(t)).toEqual([b]);
      return t;
    };
    fail3(0); // 10 s
    fail3(comeBack()); // 20 s
    fail3(comeBack()); // 40 s
    const back = comeBack();
    expect(d.info(b, back)?.ejections).toBe(3);
    expect(d.info(b, back + 19_999)?.ejections).toBe(2);
    // Two clean periods later, two steps are forgotten: back to 20 s.
    fail3(back + 20_000);
    expect(ejections.map((e) => e.durationMs)).toEqual([10_000, 20_000, 40_000, 20_000]);
  });

  it('never ejects more than maxEjectedPercent of the pool (4 backends, 50%: 2)', () => {
    const { d, backends, ejections } = setup({ maxEjectedPercent: 50 }, 4);
    for (const b of backends) for (const t of [0, 1, 2, 3, 4]) d.onOutcome(b, s500, t);
    expect(backends.map((b) => b.ejected)).toEqual([true, true, false, false]);
    expect(ejections).toHaveLength(2);
    // Once one comes back, the next failure of a still-failing backend may take its place.
    d.onActivePass(backends[0]!, 100);
    d.onOutcome(backends[2]!, s500, 101);
    expect(backends.map((b) => b.ejected)).toEqual([false, true, true, false]);
  });

  it('never ejects when the percent allows zero backends', () => {
    const zero = setup({ maxEjectedPercent: 0 }, 4);
    for (const t of [0, 1, 2, 3]) zero.d.onOutcome(zero.b, s500, t);
    expect(zero.b.ejected).toBe(false);
    const single = setup({ maxEjectedPercent: 50 }, 1); // floor(1 * 50%) = 0
    for (const t of [0, 1, 2, 3]) single.d.onOutcome(single.b, s500, t);
    expect(single.b.ejected).toBe(false);
    expect(single.ejections).toEqual([]);
  });

  it('returns an ejected backend early on a passing active check', () => {
    const { d, b, returns } = setup();
    for (const t of [0, 1, 2]) d.onOutcome(b, s500, t);
    expect(d.onActivePass(b, 500)).toBe(true);
    expect(b.ejected).toBe(false);
    expect(returns).toEqual([{ backend: b, cause: 'active check passed' }]);
    expect(d.onActivePass(b, 600)).toBe(false);
    expect(d.sweep(20_000)).toEqual([]);
  });

  it('does nothing when disabled, and returns every ejected backend when turned off', () => {
    const { d, b, backends, returns } = setup();
    for (const t of [0, 1, 2]) d.onOutcome(b, s500, t);
    const spec = PassiveHealthSchema.parse({ enabled: false });
    expect(d.update(spec)).toEqual([b]);
    expect(returns).toEqual([{ backend: b, cause: 'passive health turned off' }]);
    for (const t of [10, 11, 12, 13, 14, 15]) d.onOutcome(backends[1]!, s500, t);
    expect(backends[1]!.ejected).toBe(false);
  });

  it('forgets removed backends and un-ejects them quietly', () => {
    const { d, b, backends, returns } = setup();
    for (const t of [0, 1, 2]) d.onOutcome(b, s500, t);
    d.setBackends(backends.slice(1));
    expect(b.ejected).toBe(false);
    expect(returns).toEqual([]);
    expect(d.onOutcome(b, s500, 3)).toBeUndefined();
    expect(d.info(b, 3)).toBeUndefined();
  });
});
