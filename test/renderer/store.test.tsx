// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { WorkbenchEvent } from '../../core/contract';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { EVENT_LOG_ROWS, HISTORY_TICKS, pushBounded, unshiftBounded } from '../../renderer/store/ring';
import {
  selectBackendSnapshot,
  selectHistory,
  selectSelectedService,
  selectService,
  selectServiceSnapshot,
} from '../../renderer/store/selectors';
import { createAppStore } from '../../renderer/store/store';
import { backendView, FakeBridge, manualFrames, serviceView, snapshot } from './fake-bridge';

function setup(bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })])])) {
  const store = createAppStore();
  const actions = createActions(store, bridge);
  return { store, actions, bridge };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('ring', () => {
  it('keeps at most capacity items, oldest dropped', () => {
    let items: number[] = [];
    for (let i = 0; i < 10; i++) items = pushBounded(items, i, 4);
    expect(items).toEqual([6, 7, 8, 9]);
  });

  it('returns a new array on every push, so a change is visible by reference', () => {
    const a = [1];
    expect(pushBounded(a, 2, 4)).not.toBe(a);
    expect(a).toEqual([1]);
  });

  it('unshiftBounded keeps the newest first', () => {
    let items: number[] = [];
    for (let i = 0; i < 5; i++) items = unshiftBounded(items, i, 3);
    expect(items).toEqual([4, 3, 2]);
  });
});

describe('stats slice', () => {
  it('applies a tick with exactly one set()', () => {
    const { store, bridge } = setup();
    const listener = vi.fn();
    store.subscribe(listener);
    store.getState().ingestSnapshot(snapshot(1, bridge.services[0]!, { a: 10, b: 20 }));
    expect(listener).toHaveBeenCalledTimes(1);
    const s = store.getState();
    expect(s.latest?.tick).toBe(1);
    expect(selectHistory(s, 'web').rows).toHaveLength(1);
  });

  it('bounds the history per service and keeps the newest ticks', () => {
    const { store, bridge } = setup();
    const svc = bridge.services[0]!;
    for (let t = 1; t <= HISTORY_TICKS + 60; t++) store.getState().ingestSnapshot(snapshot(t, svc, { a: 1 }));
    const rows = selectHistory(store.getState(), 'web').rows;
    expect(rows).toHaveLength(HISTORY_TICKS);
    expect(rows[0]!.tick).toBe(61);
    expect(rows.at(-1)!.tick).toBe(HISTORY_TICKS + 60);
  });

  it('derives chart rows and the windowed share once per tick', () => {
    const { store, bridge } = setup();
    const svc = bridge.services[0]!;
    store.getState().ingestSnapshot(snapshot(1, svc, { a: 10, b: 30 }));
    const h = selectHistory(store.getState(), 'web');
    const [a, b] = svc.backends;
    const [ka, kb] = h.keys;
    expect(h.keys.map((k) => [k.id, k.name])).toEqual([
      [a!.id, 'a'],
      [b!.id, 'b'],
    ]);
    // Flat rows: each series reads one plain field (no dots or brackets a chart library would take for a path).
    expect(h.rows[0]![ka!.rps]).toBe(10);
    expect(h.rows[0]![kb!.rps]).toBe(30);
    expect(h.rows[0]![ka!.p50]).toBe(5);
    expect(h.rows[0]!['2xx']).toBe(40);
    for (const k of h.keys) for (const field of [k.rps, k.p50, k.p99]) expect(field).toMatch(/^[\w:]+$/);
    expect(h.distribution.map((d) => [d.name, d.share, d.expected])).toEqual([
      ['a', 0.25, 0.5],
      ['b', 0.75, 0.5],
    ]);
  });

  it('ignores a repeated tick and starts over when ticks go back (the core restarted)', () => {
    const { store, bridge } = setup();
    const svc = bridge.services[0]!;
    for (let t = 1; t <= 5; t++) store.getState().ingestSnapshot(snapshot(t, svc));
    const before = store.getState().histories;
    store.getState().ingestSnapshot(snapshot(5, svc));
    expect(store.getState().histories).toBe(before);
    store.getState().ingestSnapshot(snapshot(1, svc));
    expect(selectHistory(store.getState(), 'web').rows.map((r) => r.tick)).toEqual([1]);
  });

  it('seeds the history from stats:history in one set()', () => {
    const { store, bridge } = setup();
    const listener = vi.fn();
    store.subscribe(listener);
    store.getState().seedHistory([1, 2, 3].map((t) => snapshot(t, bridge.services[0]!)));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(selectHistory(store.getState(), 'web').rows).toHaveLength(3);
  });
});

describe('selectors', () => {
  it('return values already in the state', () => {
    const { store, bridge } = setup();
    store.getState().setServices(bridge.services);
    store.getState().ingestSnapshot(snapshot(1, bridge.services[0]!, { a: 1 }));
    const s = store.getState();
    expect(selectSelectedService(s)).toBe(s.services[0]);
    expect(selectService(s, 'nope')).toBeUndefined();
    expect(selectServiceSnapshot(s, 'web')).toBe(s.latest!.services[0]);
    const id = s.services[0]!.backends[0]!.id;
    expect(selectBackendSnapshot(s, 'web', id)?.rps).toBe(1);
    expect(selectHistory(s, 'missing')).toBe(selectHistory(s, 'also-missing'));
  });

  it('selects the first service when the selection disappears', () => {
    const { store } = setup();
    store.getState().setServices([serviceView('a'), serviceView('b')]);
    store.getState().selectService('b');
    store.getState().setServices([serviceView('a')]);
    expect(store.getState().selectedService).toBe('a');
  });
});

describe('ui slice', () => {
  it('keeps the event log bounded, newest first', () => {
    const { store } = setup();
    for (let i = 0; i < EVENT_LOG_ROWS + 100; i++) store.getState().logEvent({ type: 'config:changed', at: i, cause: `c${i}` });
    const events = store.getState().events;
    expect(events).toHaveLength(EVENT_LOG_ROWS);
    expect(events[0]!.event.at).toBe(EVENT_LOG_ROWS + 99);
    expect(events.at(-1)!.event.at).toBe(100);
  });
});

describe('connectStore', () => {
  it('loads services and strategies on connect', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    expect(store.getState().connected).toBe(true);
    expect(store.getState().services.map((s) => s.name)).toEqual(['web']);
    expect(store.getState().strategies.length).toBeGreaterThan(0);
    expect(store.getState().selectedService).toBe('web');
  });

  it('takes the services config:changed carries, without reading them again', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    const before = bridge.callsOf('services:list').length;
    const services = [...bridge.services, serviceView('api', [], { listen: '127.0.0.1:8081' })];
    const event: WorkbenchEvent = { type: 'config:changed', at: 1, cause: 'services:add', service: 'api', changes: ['service api added'], services };
    bridge.push({ channel: 'event', event });
    await flush();
    expect(bridge.callsOf('services:list').length).toBe(before);
    expect(store.getState().services.map((s) => s.name)).toEqual(['web', 'api']);
    expect(store.getState().events[0]!.event).toEqual(event);
  });

  it('puts stats pushes into the store and reloads after a reconnect', async () => {
    const { store, actions, bridge } = setup();
    const frames = manualFrames();
    connectStore(store, bridge, actions, { schedule: frames.schedule });
    await flush();
    bridge.push({ channel: 'stats', snapshot: snapshot(1, bridge.services[0]!, { a: 2 }) });
    expect(store.getState().lastTick).toBe(-1);
    frames.run();
    expect(store.getState().lastTick).toBe(1);
    bridge.setConnected(false);
    expect(store.getState().connected).toBe(false);
    const before = bridge.callsOf('services:list').length;
    bridge.setConnected(true);
    await flush();
    expect(bridge.callsOf('services:list').length).toBe(before + 1);
    expect(bridge.callsOf('stats:history').length).toBe(2);
  });

  it('marks the workspace unsaved after a change and clean after a save', async () => {
    const { store, actions, bridge } = setup();
    connectStore(store, bridge, actions);
    await flush();
    await actions.updateBackend('web', bridge.services[0]!.backends[0]!.id, { weight: 3 });
    expect(store.getState().dirty).toBe(true);
    await actions.saveWorkspace('/tmp/ws.json');
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().workspacePath).toBe('/tmp/ws.json');
  });
});
