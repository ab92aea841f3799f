// @vitest-environment jsdom
/**
 * The renderer's one source for services and the drill report is the
 * core's pushes (issue 16, the renderer's data flow): `config:changed`
 * carries the service views and `drill:done` the report; a command's reply
 * says only whether it worked, and nothing reads the list or polls for the
 * report after it.
 */
import { describe, expect, it } from 'vitest';
import type { DrillReport, ServiceView } from '../../core/contract';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { createAppStore } from '../../renderer/store/store';
import { backendView, FakeBridge, serviceView } from './fake-bridge';

function setup() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })])]);
  const store = createAppStore();
  const actions = createActions(store, bridge);
  connectStore(store, bridge, actions);
  return { store, actions, bridge };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const weights = (services: ServiceView[]) => services.flatMap((s) => s.backends.map((b) => `${s.name}/${b.name}=${b.weight}`));

describe('pushes are the one source', () => {
  it('a change shows what config:changed carries, and reads no list after the reply', async () => {
    const { store, actions, bridge } = setup();
    await flush();
    const lists = bridge.callsOf('services:list').length;
    const res = await actions.updateBackend('web', bridge.services[0]!.backends[1]!.id, { weight: 3 });
    expect(res.ok).toBe(true);
    expect(weights(store.getState().services)).toEqual(['web/a=1', 'web/b=3']);
    expect(store.getState().dirty).toBe(true);
    await flush();
    expect(bridge.callsOf('services:list')).toHaveLength(lists);
  });

  it('a reply that says something else does not overwrite what was pushed', async () => {
    const { store, actions, bridge } = setup();
    await flush();
    const b = bridge.services[0]!.backends[1]!;
    // The core's reply is only "it worked": what the store shows is the push.
    bridge.overrides['backends:update'] = () => {
      const services = [serviceView('web', [bridge.services[0]!.backends[0]!, { ...b, weight: 7 }])];
      bridge.push({ channel: 'event', event: { type: 'config:changed', at: 1, cause: 'x', service: 'web', changes: ['b weight 1 → 7'], services } });
      return { ok: true, value: { ...b, weight: 999 } };
    };
    await actions.updateBackend('web', b.id, { weight: 7 });
    await flush();
    expect(weights(store.getState().services)).toEqual(['web/a=1', 'web/b=7']);
  });

  it('a change made elsewhere (another window, a reload of the file) arrives with its views, without a read', async () => {
    const { store, bridge } = setup();
    await flush();
    const lists = bridge.callsOf('services:list').length;
    const services = [...bridge.services, serviceView('api', [], { listen: '127.0.0.1:8081' })];
    bridge.push({ channel: 'event', event: { type: 'config:changed', at: 1, cause: 'service api added', service: 'api', changes: ['service api added'], services } });
    expect(store.getState().services.map((s) => s.name)).toEqual(['web', 'api']);
    await flush();
    expect(bridge.callsOf('services:list')).toHaveLength(lists);
  });

  it('a renamed service stays selected', async () => {
    const { store, actions } = setup();
    await flush();
    store.getState().selectService('web');
    expect((await actions.renameService('web', 'www')).ok).toBe(true);
    expect(store.getState().services.map((s) => s.name)).toEqual(['www']);
    expect(store.getState().selectedService).toBe('www');
  });

  it('drill:done brings the report: no drills:report read, no poll', async () => {
    const { store, bridge } = setup();
    await flush();
    const reads = bridge.callsOf('drills:report').length;
    const report = { drill: 'kill', startedAt: 5, verdict: { clean: true, lines: [] } } as unknown as DrillReport;
    bridge.push({ channel: 'event', event: { type: 'drill:done', at: 9, drill: 'kill', result: 'completed', verdict: report.verdict, report } });
    expect(store.getState().drillReport).toBe(report);
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.callsOf('drills:report')).toHaveLength(reads);
  });
});
