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
    expect(events).toEqual([]);
  });

  it('holds each protocol to the faults that make sense for it, naming the fault and the field', async () => {
    const { wb, events } = makeWorkbench();
    await wb.invoke('services:add', { service: { name: 'raw', protocol: 'tcp', listen: '127.0.0.1:18082', backends: [{ url: 'tcp://127.0.0.1:3004', name: 'delta' }] } });
    events.length = 0;
    const error = await wb.invoke('faults:set', { service: 'raw', backend: 'delta', faults: [{ type: 'down' }, { type: 'error', status: 503 }] });
    expect(!error.ok && error.error).toEqual({
      code: 'INPUT_INVALID',
      message: 'not for tcp service "raw": faults[1].type: "error" answers an HTTP status, which a TCP stream does not have: use reset, blackhole or down',
      issues: ['faults[1].type: "error" answers an HTTP status, which a TCP stream does not have: use reset, blackhole or down'],
    });
    const http = await wb.invoke('faults:set', {
      service: 'api',
      backend: 'alpha',
      faults: [{ type: 'slow-close', ms: 500 }, { type: 'latency', ms: 100, perChunk: true }, { type: 'reset', when: 'after-bytes' }, { type: 'reset', when: 'connect' }],
    });
    expect(!http.ok && http.error.code).toBe('INPUT_INVALID');
    expect(!http.ok && http.error.issues).toEqual([
      'faults[0].type: "slow-close" delays a TCP FIN: it applies to tcp services only',
      'faults[1].perChunk: latency per chunk applies to tcp services only: leave perChunk out for a delay before each request',
      'faults[2].when: reset when "after-bytes" applies to tcp services only: use "before-response" or "mid-body"',
      'faults[3].when: reset when "connect" applies to tcp services only: use "before-response" or "mid-body"',
    ]);
    expect(events).toEqual([]);

    // Every layer-4 fault is accepted on TCP; a reset's HTTP names are read in TCP terms.
    const tcp = await wb.invoke('faults:set', {
      service: 'raw',
      backend: 'delta',
      faults: [
        { type: 'latency', ms: 200, jitterMs: 50 },
        { type: 'latency', ms: 100, perChunk: true, toxicity: 0.5 },
        { type: 'bandwidth', kibPerSec: 100 },
        { type: 'reset' },
        { type: 'reset', when: 'mid-body', afterBytes: 4096 },
        { type: 'blackhole', enabled: false },
        { type: 'hang', toxicity: 0.1 },
        { type: 'slow-close', ms: 500 },
        { type: 'down', toxicity: 0.25 },
      ],
    });
    expect(tcp.ok && tcp.value.faults.filter((f) => f.type === 'reset').map((f) => f.type === 'reset' && f.when)).toEqual(['connect', 'after-bytes']);
    expect(tcp.ok && tcp.value.labels).toEqual([
      'latency +200 ±50 ms',
      'latency +100 ms per chunk @ 50%',
      'bandwidth 100 KiB/s',
      'reset at connect',
      'reset after 4 KiB',
      'hang @ 10%',
      'slow close 500 ms',
      'down @ 25%',
    ]);
    expect(events.map((e) => e.type)).toEqual(['faults:changed']);
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
