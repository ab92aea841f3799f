// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { LOAD_ROWS } from '../../renderer/store/ring';
import { selectLoadProgress, selectLoadRows, selectLoadRun } from '../../renderer/store/selectors';
import { createAppStore } from '../../renderer/store/store';
import { backendView, FakeBridge, loadProgress, loadSummary, manualFrames, serviceView } from './fake-bridge';

const flush = () => new Promise((r) => setTimeout(r, 0));


function setup() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
  const store = createAppStore();
  const actions = createActions(store, bridge);
  return { store, actions, bridge };
}

describe('load slice', () => {
  it('applies a progress message with exactly one set()', () => {
    const { store } = setup();
    const listener = vi.fn();
    store.subscribe(listener);
    store.getState().ingestLoadProgress(loadProgress(500));
    expect(listener).toHaveBeenCalledTimes(1);
    const s = store.getState();
    expect(selectLoadProgress(s)?.sent).toBe(50);
    expect(selectLoadRows(s)).toEqual([{ t: 0.5, rate: 98.5, target: 100, p50: 10, p99: 40 }]);
    // A progress without a start event still means a run is going.
    expect(selectLoadRun(s).state).toBe('running');
  });

  it('bounds the chart rows and keeps the newest', () => {
    const { store } = setup();
    for (let i = 1; i <= LOAD_ROWS + 50; i++) store.getState().ingestLoadProgress(loadProgress(i * 500));
    const rows = selectLoadRows(store.getState());
    expect(rows).toHaveLength(LOAD_ROWS);
    expect(rows[0]!.t).toBe(25.5);
    expect(rows.at(-1)!.t).toBe((LOAD_ROWS + 50) / 2);
  });

  it('records no latency for an interval without answers', () => {
    const { store } = setup();
    store.getState().ingestLoadProgress(loadProgress(500, { latency: { p50: 0, p99: 0, count: 0 } }));
    expect(selectLoadRows(store.getState())[0]).toMatchObject({ p50: null, p99: null });
  });

  it('starts over on load:started and keeps the summary on load:done', async () => {
    const { store, actions, bridge } = setup();
    const frames = manualFrames();
    connectStore(store, bridge, actions, { schedule: frames.schedule });
    await flush();
    // A progress message still queued when the event comes is applied before it: it belongs to the run before.
    bridge.push({ channel: 'load', progress: loadProgress(500) });
    bridge.push({ channel: 'event', event: { type: 'load:started', at: 1, service: 'web', target: 'http://127.0.0.1:8080', drill: null } });
    expect(selectLoadRows(store.getState())).toEqual([]);
    expect(selectLoadRun(store.getState())).toMatchObject({ state: 'running', service: 'web', drill: null });
    bridge.push({ channel: 'load', progress: loadProgress(500) });
    bridge.push({ channel: 'load', progress: loadProgress(1000) });
    expect(selectLoadRows(store.getState())).toHaveLength(0);
    frames.run();
    expect(selectLoadRows(store.getState())).toHaveLength(2);
    const summary = loadSummary({ reason: 'duration' });
    bridge.push({ channel: 'event', event: { type: 'load:done', at: 2, service: 'web', drill: null, summary } });
    expect(selectLoadRun(store.getState()).state).toBe('idle');
    expect(store.getState().loadSummary).toEqual({ summary, service: 'web', drill: null });
    // The chart keeps the finished run until the next one starts.
    expect(selectLoadRows(store.getState())).toHaveLength(2);
  });

  it('ignores a command answer that a load event overtook', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    await actions.startLoad({ mode: 'open', rate: 10, durationMs: 5000 }, 'web');
    expect(selectLoadRun(store.getState())).toMatchObject({ state: 'running', durationMs: 5000 });
    // The fake, like the core over WebSocket, pushes load:done before answering load:stop with "stopping".
    await actions.stopLoad();
    expect(selectLoadRun(store.getState()).state).toBe('idle');
  });
});

describe('lab events', () => {
  it('patches a backend’s faults from faults:changed without a refetch', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    const before = bridge.callsOf('services:list').length;
    const b = bridge.services[0]!.backends[0]!;
    const faults = [{ type: 'error' as const, enabled: true, toxicity: 1, status: 503 }];
    bridge.push({ channel: 'event', event: { type: 'faults:changed', at: 1, service: 'web', backend: 'a', backendId: b.id, faults, labels: ['error 503'] } });
    expect(store.getState().services[0]!.backends[0]!.faults).toEqual(faults);
    await flush();
    expect(bridge.callsOf('services:list').length).toBe(before);
  });

  it('re-reads the demo backends on demo:changed, and not the services (config:changed brings those)', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    const services = bridge.callsOf('services:list').length;
    const demos = bridge.callsOf('demo:list').length;
    bridge.push({ channel: 'event', event: { type: 'demo:changed', at: 1, name: 'alpha', change: 'stopped' } });
    await flush();
    expect(bridge.callsOf('services:list').length).toBe(services);
    expect(bridge.callsOf('demo:list').length).toBe(demos + 1);
  });
});
