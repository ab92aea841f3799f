import { describe, expect, it } from 'vitest';
import { dueBy, keyHeaders, rateAt, weightedPicker } from '../../../core/demo/load/schedule';
import { isLoopbackHost, LoadKeySchema, RequestMixEntrySchema } from '../../../core/demo/load/spec';

describe('open-loop schedule', () => {
  it('is a straight line without a ramp', () => {
    const s = { rate: 500, rampMs: 0 };
    expect(dueBy(s, 0)).toBe(0);
    expect(dueBy(s, 1000)).toBe(500);
    expect(dueBy(s, 3000)).toBe(1500);
    expect(rateAt(s, 1234)).toBe(500);
  });

  it('ramps linearly from rampFromRate to rate, then holds', () => {
    const s = { rate: 300, rampFromRate: 100, rampMs: 2000 };
    expect(rateAt(s, 0)).toBe(100);
    expect(rateAt(s, 1000)).toBe(200);
    expect(rateAt(s, 2000)).toBe(300);
    expect(rateAt(s, 5000)).toBe(300);
    // The area under the rate: 1 s at 100..200 is 150; 2 s at 100..300 is 400.
    expect(dueBy(s, 1000)).toBeCloseTo(150, 9);
    expect(dueBy(s, 2000)).toBeCloseTo(400, 9);
    expect(dueBy(s, 3000)).toBeCloseTo(700, 9);
  });

  it('can ramp from zero', () => {
    const s = { rate: 100, rampFromRate: 0, rampMs: 1000 };
    expect(dueBy(s, 0)).toBe(0);
    expect(dueBy(s, 1000)).toBeCloseTo(50, 9);
  });
});

describe('weightedPicker', () => {
  const mix = [
    RequestMixEntrySchema.parse({ method: 'GET', path: '/a', weight: 3 }),
    RequestMixEntrySchema.parse({ method: 'POST', path: '/b', weight: 1 }),
  ];

  it.each([
    [0, '/a'],
    [0.74, '/a'],
    [0.75, '/b'],
    [0.99, '/b'],
  ])('maps random %f to %s', (r, path) => {
    expect(weightedPicker(mix, () => r)().path).toBe(path);
  });
});

describe('keyHeaders', () => {
  it('sends a header or a cookie carrying one of K keys', () => {
    const header = LoadKeySchema.parse({ header: 'x-user', count: 10 });
    expect(keyHeaders(header, () => 0)).toEqual({ 'x-user': 'user-0' });
    expect(keyHeaders(header, () => 0.999999)).toEqual({ 'x-user': 'user-9' });
    const cookie = LoadKeySchema.parse({ cookie: 'session', count: 4, prefix: 's' });
    expect(keyHeaders(cookie, () => 0.5)).toEqual({ cookie: 'session=s2' });
    expect(keyHeaders(undefined, () => 0.5)).toEqual({});
  });

  it('wants exactly one of header or cookie', () => {
    expect(LoadKeySchema.safeParse({ count: 3 }).success).toBe(false);
    expect(LoadKeySchema.safeParse({ header: 'x-user', cookie: 'sid', count: 3 }).success).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['[::1]', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['[::2]', false],
    ['example.com', false],
    ['127.0.0.1.nip.io', false],
    ['0.0.0.0', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
