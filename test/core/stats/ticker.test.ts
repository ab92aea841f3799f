import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTicker } from '../../../core/stats/ticker';

describe('startTicker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls fn every interval until stopped', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const stop = startTicker(500, fn);
    vi.advanceTimersByTime(1499);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(3);
    stop();
    stop();
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('does not hold the process open', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    const stop = startTicker(1000, () => {});
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    stop();
    spy.mockRestore();
  });

  it('rejects a non-positive interval', () => {
    expect(() => startTicker(0, () => {})).toThrow(RangeError);
  });
});
