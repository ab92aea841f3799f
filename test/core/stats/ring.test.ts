import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../core/stats/ring';

describe('RingBuffer', () => {
  it('keeps items oldest to newest until full', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    expect(r.last()).toBeUndefined();
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    expect(r.length).toBe(2);
    expect(r.capacity).toBe(3);
  });

  it('drops the oldest on wrap-around and keeps the order', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) r.push(i);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.length).toBe(3);
    expect(r.total).toBe(7);
    expect(r.last()).toBe(7);
    r.push(8);
    expect(r.toArray()).toEqual([6, 7, 8]);
  });

  it('returns items since an absolute index, limited to what is kept', () => {
    const r = new RingBuffer<string>(4);
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) r.push(s); // indices 0..5; keeps c..f
    expect(r.since(4)).toEqual(['e', 'f']);
    expect(r.since(0)).toEqual(['c', 'd', 'e', 'f']);
    expect(r.since(-10)).toEqual(['c', 'd', 'e', 'f']);
    expect(r.since(6)).toEqual([]);
    expect(r.since(99)).toEqual([]);
  });

  it('returns the newest run for which a predicate holds', () => {
    const r = new RingBuffer<number>(5);
    for (let i = 1; i <= 8; i++) r.push(i); // keeps 4..8
    expect(r.since((n) => n > 5)).toEqual([6, 7, 8]);
    expect(r.since((n) => n > 0)).toEqual([4, 5, 6, 7, 8]);
    expect(r.since((n) => n > 8)).toEqual([]);
    // A run, not a filter: the scan stops at the first failing item from the newest end.
    expect(r.since((n) => n !== 6)).toEqual([7, 8]);
  });

  it('clears', () => {
    const r = new RingBuffer<number>(2);
    r.push(1);
    r.push(2);
    r.push(3);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(r.length).toBe(0);
    r.push(4);
    expect(r.toArray()).toEqual([4]);
  });

  it('rejects a capacity that is not a positive whole number', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(2.5)).toThrow(RangeError);
  });
});
