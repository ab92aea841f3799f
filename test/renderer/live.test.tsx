// @vitest-environment jsdom
/**
 * Live pushes: stats snapshots and load progress are queued and applied at
 * the next frame, all of them in one set(), in order; events and connection
 * changes apply what is queued first. Plus the frame scheduler and the
 * chart series' reference stability that memoized charts rely on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { FRAME_FALLBACK_MS, nextFrame } from '../../renderer/store/frame';
import { HISTORY_TICKS } from '../../renderer/store/ring';
import { selectHistory, selectLoadRows } from '../../renderer/store/selectors';
import { createAppStore } from '../../renderer/store/store';
import { backendView, FakeBridge, loadProgress, manualFrames, serviceView, snapshot } from './fake-bridge';

const flush = () => new Promise((r) => setTimeout(r, 0));


async function connected() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })])]);
  const store = createAppStore();
  const actions = createActions(store, bridge);
  const frames = manualFrames();
  const disconnect = connectStore(store, bridge, actions, { schedule: frames.schedule });
  await flush();
  const listener = vi.fn();
  store.subscribe(listener);
  return { bridge, store, frames, listener, disconnect, svc: bridge.services[0]! };
}

describe('live pushes', () => {
  it('applies every stats and load push that came between two frames in one set(), in order', async () => {
    const { bridge, store, frames, listener, svc } = await connected();
    for (let t = 1; t <= 3; t++) {
      bridge.push({ channel: 'stats', snapshot: snapshot(t, svc, { a: t }) });
      bridge.push({ channel: 'load', progress: loadProgress(t * 500) });
    }
    expect(listener).not.toHaveBeenCalled();
    expect(frames.pending).toBe(1);
    frames.run();
    expect(listener).toHaveBeenCalledTimes(1);
    const s = store.getState();
    expect(s.lastTick).toBe(3);
    expect(selectHistory(s, 'web').rows.map((r) => r.tick)).toEqual([1, 2, 3]);
    expect(selectLoadRows(s).map((r) => r.t)).toEqual([0.5, 1, 1.5]);
  });

  it('sets nothing on a frame with nothing new', async () => {
    const { bridge, store, frames, listener, svc } = await connected();
    bridge.push({ channel: 'stats', snapshot: snapshot(1, svc) });
    frames.run();
    expect(listener).toHaveBeenCalledTimes(1);
    store.getState().flushLive();
    // A tick seen already changes nothing either.
    bridge.push({ channel: 'stats', snapshot: snapshot(1, svc) });
    frames.run();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('applies what is queued before an event, so the store sees pushes in the order they came', async () => {
    const { bridge, store, frames, svc } = await connected();
    bridge.push({ channel: 'stats', snapshot: snapshot(1, svc, { a: 1 }) });
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.lastTick));
    bridge.push({ channel: 'event', event: { type: 'health:changed', at: 1, service: 'web', backend: 'a', backendId: svc.backends[0]!.id, from: 'healthy', to: 'unhealthy', cause: 'x' } });
    // The tick was applied first (its own set), then the event logged.
    expect(seen[0]).toBe(1);
    expect(store.getState().events).toHaveLength(1);
    frames.run();
    expect(store.getState().lastTick).toBe(1);
  });

  it('keeps at most a window of ticks waiting, the newest', async () => {
    const { bridge, store, frames, svc } = await connected();
    for (let t = 1; t <= HISTORY_TICKS + 30; t++) bridge.push({ channel: 'stats', snapshot: snapshot(t, svc) });
    frames.run();
    const rows = selectHistory(store.getState(), 'web').rows;
    expect(rows).toHaveLength(HISTORY_TICKS);
    expect(rows[0]!.tick).toBe(31);
    expect(rows.at(-1)!.tick).toBe(HISTORY_TICKS + 30);
  });

  it('seeds the history after applying queued ticks: a newer one is kept, an older one does not read as a restart', async () => {
    const { bridge, store, svc } = await connected();
    bridge.push({ channel: 'stats', snapshot: snapshot(5, svc) });
    store.getState().seedHistory([1, 2, 3, 4].map((t) => snapshot(t, svc)));
    expect(selectHistory(store.getState(), 'web').rows.map((r) => r.tick)).toEqual([1, 2, 3, 4, 5]);

    const other = await connected();
    other.bridge.push({ channel: 'stats', snapshot: snapshot(3, other.svc) });
    other.store.getState().seedHistory([1, 2, 3, 4].map((t) => snapshot(t, other.svc)));
    expect(selectHistory(other.store.getState(), 'web').rows.map((r) => r.tick)).toEqual([1, 2, 3, 4]);
  });

  it('stops asking for frames once disconnected from the bridge', async () => {
    const { bridge, frames, disconnect, svc } = await connected();
    bridge.push({ channel: 'stats', snapshot: snapshot(1, svc) });
    expect(frames.pending).toBe(1);
    disconnect();
    expect(frames.pending).toBe(0);
  });

  it('reaches the store through real animation frames too', async () => {
    const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
    const store = createAppStore();
    connectStore(store, bridge, createActions(store, bridge));
    await flush();
    bridge.push({ channel: 'stats', snapshot: snapshot(1, bridge.services[0]!) });
    await vi.waitFor(() => expect(store.getState().lastTick).toBe(1));
  });
});

describe('nextFrame', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    delete (document as { hidden?: boolean }).hidden;
  });

  it('runs once, at the animation frame, and cancels the fallback timer', () => {
    vi.useFakeTimers();
    let frame: FrameRequestCallback | undefined;
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => ((frame = cb), 1));
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const run = vi.fn();
    nextFrame(run);
    expect(run).not.toHaveBeenCalled();
    frame!(0);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(FRAME_FALLBACK_MS * 2);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('falls back to a timer when no frame comes (a page hidden after asking)', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', () => 1);
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const run = vi.fn();
    nextFrame(run);
    vi.advanceTimersByTime(FRAME_FALLBACK_MS);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('uses a timer straight away while the page is hidden', () => {
    vi.useFakeTimers();
    const raf = vi.fn(() => 1);
    vi.stubGlobal('requestAnimationFrame', raf);
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    const run = vi.fn();
    nextFrame(run);
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    expect(raf).not.toHaveBeenCalled();
  });

  it('can be cancelled', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', () => 1);
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const run = vi.fn();
    nextFrame(run)();
    vi.advanceTimersByTime(FRAME_FALLBACK_MS * 2);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('chart series', () => {
  it('keep the keys and an unchanged distribution by reference from tick to tick', () => {
    const store = createAppStore();
    const svc = serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })]);
    store.getState().ingestSnapshot(snapshot(1, svc, { a: 1, b: 1 }));
    const first = selectHistory(store.getState(), 'web');
    store.getState().ingestSnapshot(snapshot(2, svc, { a: 1, b: 1 }));
    const second = selectHistory(store.getState(), 'web');
    expect(second.rows).not.toBe(first.rows);
    expect(second.keys).toBe(first.keys);
    expect(second.distribution).toBe(first.distribution);
    store.getState().ingestSnapshot(snapshot(3, svc, { a: 3, b: 1 }));
    expect(selectHistory(store.getState(), 'web').distribution).not.toBe(first.distribution);
  });

  it('gives a new backend its own fields and keeps a departed one while it has data in the window', () => {
    const store = createAppStore();
    const a = backendView('http://127.0.0.1:3001', { name: 'a' });
    const b = backendView('http://127.0.0.1:3002', { name: 'b' });
    const c = backendView('http://127.0.0.1:3003', { name: 'c' });
    store.getState().ingestSnapshot(snapshot(1, serviceView('web', [a, b]), { a: 1, b: 2 }));
    store.getState().ingestSnapshot(snapshot(2, serviceView('web', [a, c]), { a: 1, c: 5 }));
    const h = selectHistory(store.getState(), 'web');
    expect(h.keys.map((k) => k.name)).toEqual(['a', 'c', 'b']);
    const [ka, kc, kb] = h.keys;
    expect(new Set([ka!.rps, kb!.rps, kc!.rps]).size).toBe(3);
    expect(h.rows.map((r) => [r[ka!.rps], r[kb!.rps], r[kc!.rps]])).toEqual([
      [1, 2, undefined],
      [1, undefined, 5],
    ]);
  });
});
