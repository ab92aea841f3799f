import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline, type Phase } from '../../../core/proxy/deadline';

function watch() {
  const fired: Array<[Phase, number, number]> = [];
  const d = new Deadline({ timedOut: (phase, limitMs) => fired.push([phase, limitMs, performance.now()]) });
  return { d, fired };
}

/** Advances the fake clock, then lets a real setImmediate pass (a verdict waits for the I/O phase). */
async function advance(ms: number): Promise<void> {
  vi.advanceTimersByTime(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('Deadline', async () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires the phase running when its deadline passes', async () => {
    const { d, fired } = watch();
    const t0 = performance.now();
    d.set('connect', 100, 100);
    await advance(99);
    expect(fired).toEqual([]);
    await advance(1);
    expect(fired).toEqual([['connect', 100, t0 + 100]]);
  });

  it('a later deadline keeps the one timer, which waits again for what is left', async () => {
    const { d, fired } = watch();
    const t0 = performance.now();
    d.set('connect', 100, 100);
    await advance(10);
    d.set('response', 500, 600);
    expect(vi.getTimerCount()).toBe(1);
    await advance(100); // the connect timer fires, and is set again
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    await advance(400);
    expect(fired).toEqual([['response', 600, t0 + 510]]);
  });

  it('an earlier deadline re-sets the timer at once', async () => {
    const { d, fired } = watch();
    const t0 = performance.now();
    d.set('connect', 5000, 5000);
    d.set('response', 50, 50);
    await advance(50);
    expect(fired).toEqual([['response', 50, t0 + 50]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('extend moves only the phase running; clear stops it', async () => {
    const { d, fired } = watch();
    const t0 = performance.now();
    d.set('response', 100, 100);
    await advance(80);
    d.extend('connect', 1000); // not running: no effect
    d.extend('response', 100);
    await advance(99);
    expect(fired).toEqual([]);
    await advance(1);
    expect(fired).toEqual([['response', 100, t0 + 180]]);
    d.set('connect', 10, 10);
    d.clear();
    await advance(100);
    expect(fired).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
