import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Push, WorkbenchEvent } from '../../core/contract/events';
import { Workbench } from '../../core/workbench';

function makeWorkbench() {
  const wb = new Workbench({
    dataPlane: false,
    workspace: {
      services: [
        {
          name: 'api',
          listen: '127.0.0.1:8080',
          strategy: 'round-robin',
          backends: [
            { url: 'http://127.0.0.1:3001', name: 'a' },
            { url: 'http://127.0.0.1:3002', name: 'b', weight: 3 },
          ],
        },
      ],
    },
  });
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p: Push) => {
    if (p.channel === 'event') events.push(p.event);
  });
  return { wb, events };
}

describe('Workbench commands', () => {
  it('lists services with backend ids and runtime state', async () => {
    const { wb } = makeWorkbench();
    const res = await wb.invoke('services:list', {});
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value).toHaveLength(1);
    expect(res.value[0]!.backends.map((b) => [b.name, b.url, b.weight, b.health])).toEqual([
      ['a', 'http://127.0.0.1:3001', 1, 'unknown'],
      ['b', 'http://127.0.0.1:3002', 3, 'unknown'],
    ]);
    expect(res.value[0]!.backends[0]!.id).not.toBe(res.value[0]!.backends[1]!.id);
  });

  it('adds a backend, and rejects a bad URL with a path-named error, changing nothing', async () => {
    const { wb, events } = makeWorkbench();
    const bad = await wb.invoke('backends:add', { service: 'api', backend: { url: 'htp:/nope' } });
    expect(bad).toEqual({
      ok: false,
      error: { code: 'INPUT_INVALID', message: 'backend.url: must be an http(s) URL, or tcp://host:port in a tcp service', issues: ['backend.url: must be an http(s) URL, or tcp://host:port in a tcp service'] },
    });
    expect(wb.getWorkspace().services[0]!.backends).toHaveLength(2);
    expect(events).toEqual([]);

    const added = await wb.invoke('backends:add', { service: 'api', backend: { url: 'http://127.0.0.1:3003' } });
    expect(added.ok && added.value).toMatchObject({ name: '127.0.0.1:3003', weight: 1, state: 'active' });
    expect(wb.getWorkspace().services[0]!.backends.map((b) => b.url)).toEqual(['http://127.0.0.1:3001', 'http://127.0.0.1:3002', 'http://127.0.0.1:3003']);
    expect(events.map((e) => e.type)).toEqual(['config:changed']);
  });

  it('updates a backend by name or id and keeps its id across a rename', async () => {
    const { wb } = makeWorkbench();
    const before = wb.service('api')!.findBackend('a');
    const res = await wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 7, name: 'alpha' } });
    expect(res.ok && res.value).toMatchObject({ id: before.id, name: 'alpha', weight: 7 });
    const res2 = await wb.invoke('backends:update', { service: 'api', backend: before.id, patch: { state: 'drain' } });
    expect(res2.ok && res2.value.state).toBe('drain');
    expect(wb.service('api')!.findBackend('alpha')).toBe(before);
    expect(before.available()).toBe(false);
  });

  it('rejects an invalid weight and keeps the old one', async () => {
    const { wb } = makeWorkbench();
    const res = await wb.invoke('backends:update', { service: 'api', backend: 'b', patch: { weight: -2 } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('CONFIG_INVALID');
    expect(res.error.issues).toEqual(['services[0].backends[1].weight: Too small: expected number to be >=1']);
    expect(wb.service('api')!.findBackend('b').weight).toBe(3);
  });

  it('removes a backend and returns it so a UI can undo', async () => {
    const { wb } = makeWorkbench();
    const removed = await wb.invoke('backends:remove', { service: 'api', backend: 'a' });
    expect(removed.ok && removed.value).toMatchObject({ name: 'a', url: 'http://127.0.0.1:3001' });
    expect(wb.service('api')!.backends.map((b) => b.name)).toEqual(['b']);
    if (!removed.ok) return;
    const { url, name, weight, state, backup } = removed.value;
    const back = await wb.invoke('backends:add', { service: 'api', backend: { url, name, weight, state, backup } });
    expect(back.ok).toBe(true);
    expect(wb.service('api')!.backends.map((b) => b.name)).toEqual(['b', 'a']);
  });

  it('switches strategy live, and rejects an unknown one keeping the old', async () => {
    const { wb, events } = makeWorkbench();
    const bad = await wb.invoke('strategy:set', { service: 'api', strategy: 'fastest' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('CONFIG_INVALID');
    expect(wb.service('api')!.pool.strategyName).toBe('round-robin');

    const good = await wb.invoke('strategy:set', { service: 'api', strategy: 'weighted-round-robin' });
    expect(good.ok && good.value.strategy).toBe('weighted-round-robin');
    expect(wb.service('api')!.pool.strategyName).toBe('weighted-round-robin');
    // Weighted 1:3 over eight picks: a once per four.
    const pool = wb.service('api')!.pool;
    const names = Array.from({ length: 8 }, () => pool.pick({ clientAddress: '127.0.0.1', headers: {} })!.name);
    expect(names.filter((n) => n === 'a')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'config:changed', cause: 'strategy of api set to weighted-round-robin' });
  });

  it('answers unknown commands and malformed input as data', async () => {
    const { wb } = makeWorkbench();
    expect(await wb.invoke('backends:explode', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_COMMAND', message: 'unknown command "backends:explode"' } });
    const res = await wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { colour: 'red' } });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error.code).toBe('INPUT_INVALID');
    const res2 = await wb.invoke('backends:remove', 'not an object');
    expect(!res2.ok && res2.error.code).toBe('INPUT_INVALID');
    const res3 = await wb.invoke('backends:remove', { service: 'nope', backend: 'a' });
    expect(!res3.ok && res3.error).toEqual({ code: 'NOT_FOUND', message: 'no service named "nope"' });
  });

  it('adds, renames and removes services', async () => {
    const { wb } = makeWorkbench();
    const dup = await wb.invoke('services:add', { service: { name: 'api', listen: '127.0.0.1:9000' } });
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
    const added = await wb.invoke('services:add', { service: { name: 'web', listen: '127.0.0.1:9000' } });
    expect(added.ok && added.value).toMatchObject({ name: 'web', protocol: 'http', strategy: 'round-robin', backends: [] });
    const renamed = await wb.invoke('services:update', { service: 'web', patch: { name: 'www' } });
    expect(renamed.ok && renamed.value.name).toBe('www');
    const list = await wb.invoke('services:list', {});
    expect(list.ok && list.value.map((s) => s.name)).toEqual(['api', 'www']);
    const removed = await wb.invoke('services:remove', { service: 'www' });
    expect(removed).toEqual({ ok: true, value: { removed: 'www' } });
  });

  it('replaces the workspace only when the new one is valid', async () => {
    const { wb } = makeWorkbench();
    const before = wb.getWorkspace();
    const bad = await wb.invoke('workspace:replace', { workspace: { services: [{ name: 'x', listen: 'nope' }] } });
    expect(!bad.ok && bad.error.code).toBe('CONFIG_INVALID');
    expect(wb.getWorkspace()).toEqual(before);
  });

  it('saves and reopens a workspace file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lbw-wb-'));
    try {
      const { wb } = makeWorkbench();
      const path = join(dir, 'ws.json');
      expect(await wb.invoke('workspace:save', { path })).toEqual({ ok: true, value: { path } });
      const other = new Workbench({ dataPlane: false });
      const opened = await other.invoke('workspace:open', { path });
      expect(opened.ok && opened.value.services[0]!.backends.map((b) => b.name)).toEqual(['a', 'b']);
      const missing = await other.invoke('workspace:open', { path: join(dir, 'missing.json') });
      expect(!missing.ok && missing.error.code).toBe('IO_ERROR');
      expect(other.getWorkspace().services).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists strategies with labels and descriptions for the UI', async () => {
    const { wb } = makeWorkbench();
    const res = await wb.invoke('strategies:list', {});
    expect(res.ok && res.value.map((s) => s.name)).toEqual(
      expect.arrayContaining(['round-robin', 'weighted-round-robin', 'least-connections', 'random', 'power-of-two', 'ring-hash', 'maglev', 'peak-ewma']),
    );
    expect(res.ok && res.value.every((s) => s.label.length > 0 && s.description.length > 0)).toBe(true);
  });
});

describe('Workbench event history', () => {
  it('keeps the last events for a UI that connects late', async () => {
    const { wb } = makeWorkbench();
    await wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 2 } });
    await wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 3 } });
    const res = await wb.invoke('events:history', {});
    expect(res.ok && res.value.map((e) => e.type === 'config:changed' && e.cause)).toEqual(['backend a updated', 'backend a updated']);
    for (let i = 0; i < 600; i++) await wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 1 + (i % 5) } });
    const capped = await wb.invoke('events:history', {});
    expect(capped.ok && capped.value.length).toBe(500);
  });
});
