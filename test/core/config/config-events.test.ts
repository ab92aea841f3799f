/**
 * The event history and what config events say (issue 16, bug 8): startup
 * health transitions are in `events:history` for a UI that connects later,
 * the history is bounded, and each `config:changed` names the service and
 * what changed in words (`b weight 1 → 3`), and carries the new service
 * views (the renderer's one source for them; left out of the history).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { diffWorkspaces } from '../../../core/config/diff';
import { parseWorkspace } from '../../../core/config/workspace-file';
import { Workbench } from '../../../core/workbench';
import { waitFor } from '../../helpers/wait';

const workbenches: Workbench[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(workbenches.splice(0).map((wb) => wb.stop(0)));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function modelWorkbench() {
  const wb = new Workbench({
    dataPlane: false,
    workspace: { services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }, { url: 'http://127.0.0.1:3002', name: 'b' }] }] },
  });
  workbenches.push(wb);
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
  const lastConfig = () => events.filter((e) => e.type === 'config:changed').at(-1) as Extract<WorkbenchEvent, { type: 'config:changed' }>;
  return { wb, events, lastConfig };
}

describe('config:changed', () => {
  it('names the service and says what changed, with the new service views', async () => {
    const { wb, lastConfig } = modelWorkbench();
    expect((await wb.invoke('backends:update', { service: 'web', backend: 'b', patch: { weight: 3 } })).ok).toBe(true);
    expect(lastConfig()).toMatchObject({ service: 'web', changes: ['b weight 1 → 3'] });
    expect(lastConfig().services!.map((s) => [s.name, s.backends.map((b) => [b.name, b.weight])])).toEqual([['web', [['a', 1], ['b', 3]]]]);

    await wb.invoke('strategy:set', { service: 'web', strategy: 'least-connections' });
    expect(lastConfig()).toMatchObject({ service: 'web', changes: ['strategy round-robin → least-connections'] });

    await wb.invoke('backends:add', { service: 'web', backend: { url: 'http://127.0.0.1:3003', name: 'bravo' } });
    expect(lastConfig()).toMatchObject({ service: 'web', changes: ['backend bravo added'] });

    await wb.invoke('backends:update', { service: 'web', backend: 'a', patch: { state: 'drain' } });
    expect(lastConfig().changes).toEqual(['a state active → drain']);

    await wb.invoke('services:update', { service: 'web', patch: { healthCheck: { path: '/health' } } });
    expect(lastConfig().changes).toEqual(['health check on']);

    await wb.invoke('services:add', { service: { name: 'api', listen: '127.0.0.1:0' } });
    expect(lastConfig()).toMatchObject({ service: 'api', changes: ['service api added'] });
    expect(lastConfig().services!.map((s) => s.name)).toEqual(['web', 'api']);
  });

  it('diffs a whole workspace: several services at once name none', () => {
    const a = parseWorkspace({ services: [{ name: 'x', listen: '127.0.0.1:1' }, { name: 'y', listen: '127.0.0.1:2', strategy: 'random' }] });
    const b = parseWorkspace({ services: [{ name: 'x', listen: '127.0.0.1:5' }, { name: 'z', listen: '127.0.0.1:2', strategy: 'random' }] });
    expect(diffWorkspaces(a, b)).toEqual({ changes: ['service y renamed z', 'listen 127.0.0.1:1 → 127.0.0.1:5'] });
  });
});

describe('events:history', () => {
  it('keeps the startup health transitions for a UI that connects later, without service views', async () => {
    const backend = http.createServer((_req, res) => res.end('ok'));
    servers.push(backend);
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const wb = new Workbench({
      tickMs: 100,
      workspace: { services: [{ name: 'web', listen: '127.0.0.1:0', healthCheck: { intervalMs: 100, rise: 1 }, backends: [{ url, name: 'a' }] }] },
    });
    workbenches.push(wb);
    await wb.start({ failFast: true });
    await wb.invoke('backends:update', { service: 'web', backend: 'a', patch: { weight: 2 } });
    const history = await waitFor(
      async () => {
        const res = await wb.invoke('events:history', {});
        const list = res.ok ? res.value : [];
        return list.some((e) => e.type === 'health:changed' && e.to === 'healthy') ? list : undefined;
      },
      { timeoutMs: 10_000, message: 'the startup transition in the history' },
    );
    expect(history.find((e) => e.type === 'health:changed')).toMatchObject({ service: 'web', backend: 'a', from: 'unknown', to: 'healthy' });
    const config = history.find((e) => e.type === 'config:changed')!;
    expect(config).toMatchObject({ service: 'web', changes: ['a weight 1 → 2'] });
    expect('services' in config).toBe(false);
  });

  it('is bounded: the newest 500 events, oldest first', async () => {
    const { wb } = modelWorkbench();
    for (let i = 0; i < 260; i++) await wb.invoke('backends:update', { service: 'web', backend: 'b', patch: { weight: (i % 9) + 2 } });
    const res = await wb.invoke('events:history', {});
    const list = res.ok ? res.value : [];
    expect(list.length).toBeLessThanOrEqual(500);
    expect(list.length).toBeGreaterThanOrEqual(260);
    const last = list.at(-1) as Extract<WorkbenchEvent, { type: 'config:changed' }>;
    expect(last.changes).toEqual([`b weight ${((258 % 9) + 2)} → ${(259 % 9) + 2}`]);
  });
});
