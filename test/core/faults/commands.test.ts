import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { Workbench } from '../../../core/workbench';

function makeWorkbench() {
  const wb = new Workbench({
    dataPlane: false,
    workspace: {
      services: [
        { name: 'api', listen: '127.0.0.1:18080', backends: [{ url: 'http://127.0.0.1:3001', name: 'alpha' }, { url: 'http://127.0.0.1:3002', name: 'bravo' }] },
        { name: 'web', listen: '127.0.0.1:18081', backends: [{ url: 'http://127.0.0.1:3003', name: 'charlie' }] },
      ],
    },
  });
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
  return { wb, events };
}

describe('faults commands', () => {
  it('faults:set fills defaults, answers the backend’s faults and announces them', async () => {
    const { wb, events } = makeWorkbench();
    const res = await wb.invoke('faults:set', {
      service: 'api',
      backend: 'alpha',
      faults: [{ type: 'latency', ms: 300 }, { type: 'error', status: 503, toxicity: 0.5 }, { type: 'down', enabled: false }],
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value).toMatchObject({
      service: 'api',
      backend: 'alpha',
      faults: [
        { type: 'latency', ms: 300, jitterMs: 0, enabled: true, toxicity: 1 },
        { type: 'error', status: 503, enabled: true, toxicity: 0.5 },
        { type: 'down', enabled: false, toxicity: 1 },
      ],
      labels: ['latency +300 ms', 'error 503 @ 50%'],
    });
    expect(events).toEqual([
      expect.objectContaining({ type: 'faults:changed', service: 'api', backend: 'alpha', backendId: res.value.backendId, labels: ['latency +300 ms', 'error 503 @ 50%'] }),
    ]);
    // Runtime state, not configuration.
    expect(events.some((e) => e.type === 'config:changed')).toBe(false);

    const list = await wb.invoke('services:list', {});
    const alpha = list.ok ? list.value[0]!.backends.find((b) => b.name === 'alpha') : undefined;
    expect(alpha?.faults.map((f) => f.type)).toEqual(['latency', 'error', 'down']);

    wb.tick();
    const snap = await wb.invoke('stats:history', {});
    const backends = snap.ok ? snap.value.at(-1)!.services[0]!.backends : [];
    expect(backends.map((b) => [b.name, b.faults])).toEqual([
      ['alpha', ['latency +300 ms', 'error 503 @ 50%']],
      ['bravo', []],
    ]);
  });

  it('rejects a bad fault with the path of the problem, changing nothing', async () => {
    const { wb, events } = makeWorkbench();
    const res = await wb.invoke('faults:set', { service: 'api', backend: 'alpha', faults: [{ type: 'error', toxicity: 2 }] });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('INPUT_INVALID');
    expect(res.error.issues?.[0]).toMatch(/^faults\[0\]\.toxicity: /);
    const missing = await wb.invoke('faults:set', { service: 'api', backend: 'zulu', faults: [] });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    await wb.invoke('services:add', { service: { name: 'raw', protocol: 'tcp', listen: '127.0.0.1:18082', backends: [{ url: 'tcp://127.0.0.1:3004', name: 'delta' }] } });
    events.length = 0;
    const tcp = await wb.invoke('faults:set', { service: 'raw', backend: 'delta', faults: [{ type: 'down' }] });
    expect(!tcp.ok && tcp.error).toMatchObject({ code: 'INPUT_INVALID', message: 'faults apply to HTTP services for now; "raw" is a tcp service' });
    expect(events).toEqual([]);
  });

  it('faults:clear heals one backend, a service, or everything, and reports only what it healed', async () => {
    const { wb, events } = makeWorkbench();
    for (const [service, backend] of [['api', 'alpha'], ['api', 'bravo'], ['web', 'charlie']] as const) {
      await wb.invoke('faults:set', { service, backend, faults: [{ type: 'down' }] });
    }
    events.length = 0;
    const one = await wb.invoke('faults:clear', { service: 'api', backend: 'bravo' });
    expect(one.ok && one.value.map((b) => b.backend)).toEqual(['bravo']);
    const noService = await wb.invoke('faults:clear', { backend: 'alpha' });
    expect(!noService.ok && noService.error).toMatchObject({ code: 'INPUT_INVALID', issues: ['service: name the service of the backend'] });
    const all = await wb.invoke('faults:clear', {});
    expect(all.ok && all.value.map((b) => b.backend)).toEqual(['alpha', 'charlie']);
    expect(events.map((e) => e.type === 'faults:changed' && [e.backend, e.labels])).toEqual([
      ['bravo', []],
      ['alpha', []],
      ['charlie', []],
    ]);
    const list = await wb.invoke('faults:list', {});
    expect(list.ok && list.value.map((b) => [b.service, b.backend, b.faults.length])).toEqual([
      ['api', 'alpha', 0],
      ['api', 'bravo', 0],
      ['web', 'charlie', 0],
    ]);
    const api = await wb.invoke('faults:list', { service: 'api' });
    expect(api.ok && api.value).toHaveLength(2);
  });

  it('faults are not saved in the workspace file, and survive edits and a rebind of their service', async () => {
    const { wb } = makeWorkbench();
    await wb.invoke('faults:set', { service: 'api', backend: 'alpha', faults: [{ type: 'latency', ms: 100 }] });
    await wb.invoke('backends:update', { service: 'api', backend: 'alpha', patch: { weight: 3 } });
    await wb.invoke('services:update', { service: 'api', patch: { listen: '127.0.0.1:18090' } });
    const list = await wb.invoke('faults:list', { service: 'api' });
    expect(list.ok && list.value[0]!.labels).toEqual(['latency +100 ms']);

    const dir = await mkdtemp(join(tmpdir(), 'lbw-faults-'));
    try {
      const path = join(dir, 'ws.json');
      expect((await wb.invoke('workspace:save', { path })).ok).toBe(true);
      const text = await readFile(path, 'utf8');
      expect(text).not.toMatch(/fault|latency/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
