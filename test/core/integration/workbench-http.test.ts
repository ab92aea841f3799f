/**
 * The whole HTTP path through the Workbench: real backends on loopback, the
 * real proxy, health checks and commands, as a user of `lbw run` or the UI
 * would drive it.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import type { WorkspaceInput } from '../../../core/model/spec';
import { Workbench } from '../../../core/workbench';
import { startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function backends(n: number): Promise<HttpBackend[]> {
  const list = await Promise.all(Array.from({ length: n }, (_, i) => startHttpBackend({ name: `b${i}` })));
  for (const b of list) cleanups.push(() => b.close());
  return list;
}

async function workbench(service: Partial<NonNullable<WorkspaceInput['services']>[number]>, urls: string[]) {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 2000,
    workspace: { services: [{ name: 'api', listen: '127.0.0.1:0', backends: urls.map((url, i) => ({ url, name: `b${i}` })), ...service }] },
  });
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
  await wb.start({ failFast: true });
  cleanups.push(() => wb.stop(0));
  const address = wb.service('api')!.view().address!;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return { wb, events, port };
}

/** Sends n sequential requests and counts answers by the backend that gave them. */
async function spread(port: number, n: number, agent?: http.Agent): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await send(port, { agent: agent ?? false });
    expect(res.status).toBe(200);
    const who = String(res.headers['x-backend']);
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

describe('HTTP balancing through the Workbench', () => {
  it('splits 300 requests equally with round-robin', async () => {
    const bs = await backends(3);
    const { port } = await workbench({ strategy: 'round-robin' }, bs.map((b) => b.url));
    const agent = new http.Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    expect(await spread(port, 300, agent)).toEqual({ b0: 100, b1: 100, b2: 100 });
  });

  it('splits by weight with weighted-round-robin, and a live weight change applies to the next picks', async () => {
    const bs = await backends(3);
    const { wb, port } = await workbench({ strategy: 'weighted-round-robin' }, bs.map((b) => b.url));
    await wb.invoke('backends:update', { service: 'api', backend: 'b1', patch: { weight: 2 } });
    await wb.invoke('backends:update', { service: 'api', backend: 'b2', patch: { weight: 3 } });
    expect(await spread(port, 300)).toEqual({ b0: 50, b1: 100, b2: 150 });
    await wb.invoke('backends:update', { service: 'api', backend: 'b2', patch: { weight: 1 } });
    expect(await spread(port, 120)).toEqual({ b0: 30, b1: 60, b2: 30 });
  });

  it('marks a killed backend down within interval × fall plus a margin, with no failed GET', async () => {
    const bs = await backends(3);
    const { events, port } = await workbench(
      { strategy: 'round-robin', healthCheck: { path: '/health', intervalMs: 100, timeoutMs: 200, rise: 1, fall: 2 } },
      bs.map((b) => b.url),
    );
    await waitFor(() => events.filter((e) => e.type === 'health:changed' && e.to === 'healthy').length === 3, { timeoutMs: 5000 });

    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      while (running) statuses.push((await send(port)).status);
    })();
    await waitFor(() => statuses.length >= 30);
    const killedAt = Date.now();
    await bs[1]!.close();
    const down = await waitFor(() => events.find((e) => e.type === 'health:changed' && e.backend === 'b1' && e.to === 'unhealthy'), { timeoutMs: 10_000 });
    const detectMs = Date.now() - killedAt;
    const after = statuses.length;
    await waitFor(() => statuses.length >= after + 30);
    running = false;
    await load;

    expect(down.type === 'health:changed' && down.cause).toMatch(/^check failed: ECONNREFUSED/);
    // interval × fall = 200 ms; the margin covers a busy 2-core machine.
    expect(detectMs).toBeLessThan(200 + 3000);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('answers 503 when every backend is down, and traffic comes back on recovery', async () => {
    const bs = await backends(2);
    const { events, port } = await workbench(
      { healthCheck: { path: '/health', intervalMs: 100, timeoutMs: 200, rise: 1, fall: 1 } },
      bs.map((b) => b.url),
    );
    for (const b of bs) b.status = 503;
    await waitFor(() => events.filter((e) => e.type === 'health:changed' && e.to === 'unhealthy').length === 2, { timeoutMs: 5000 });
    const res = await send(port);
    expect(res.status).toBe(503);
    expect(res.body).toContain('no backend available');

    bs[0]!.status = 200;
    await waitFor(() => events.some((e) => e.type === 'health:changed' && e.backend === 'b0' && e.to === 'healthy'), { timeoutMs: 5000 });
    const back = await send(port);
    expect(back.status).toBe(200);
    expect(back.headers['x-backend']).toBe('b0');
  });

  it('drain lets an in-flight request finish and sends new ones elsewhere', async () => {
    const slow = await startHttpBackend({ name: 'b0', delayMs: 800 });
    cleanups.push(() => slow.close());
    const fast = await startHttpBackend({ name: 'b1' });
    cleanups.push(() => fast.close());
    const { wb, port } = await workbench({ strategy: 'round-robin' }, [slow.url, fast.url]);
    const inFlight = send(port); // round-robin starts at b0, the slow one
    await waitFor(() => wb.service('api')!.findBackend('b0').inFlight === 1);
    const drained = await wb.invoke('backends:update', { service: 'api', backend: 'b0', patch: { state: 'drain' } });
    expect(drained.ok).toBe(true);
    const others = await Promise.all([send(port), send(port), send(port)]);
    expect(others.map((r) => r.headers['x-backend'])).toEqual(['b1', 'b1', 'b1']);
    const first = await inFlight;
    expect(first.status).toBe(200);
    expect(first.headers['x-backend']).toBe('b0');
    expect(wb.service('api')!.findBackend('b0').inFlight).toBe(0);
  });

  it('a backend moved to another URL with backends:update gets its traffic there', async () => {
    const [before, after] = await Promise.all([startHttpBackend({ name: 'before' }), startHttpBackend({ name: 'after' })]);
    cleanups.push(() => before.close(), () => after.close());
    const { wb, port } = await workbench({}, [before.url]);
    const agent = new http.Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    expect((await send(port, { agent })).headers['x-backend']).toBe('before');
    const moved = await wb.invoke('backends:update', { service: 'api', backend: 'b0', patch: { url: after.url } });
    expect(moved.ok).toBe(true);
    for (let i = 0; i < 3; i++) expect((await send(port, { agent })).headers['x-backend']).toBe('after');
    expect(before.hits).toBe(1);
  });

  it('never sends a POST twice to backends that reset, while GETs all succeed', async () => {
    // b0 accepts and then resets every connection; b1 and b2 are healthy.
    const posts = new Map<string, number>();
    const resetter = await startHttpBackend({ name: 'b0', handler: (req) => req.socket.destroy() });
    cleanups.push(() => resetter.close());
    const good = await Promise.all(
      [1, 2].map((i) =>
        startHttpBackend({
          name: `b${i}`,
          handler: (req, res) => {
            if (req.method === 'POST') {
              const id = String(req.headers['x-id']);
              posts.set(id, (posts.get(id) ?? 0) + 1);
            }
            req.resume();
            req.on('end', () => res.writeHead(200, { 'x-backend': `b${i}` }).end('ok'));
          },
        }),
      ),
    );
    for (const b of good) cleanups.push(() => b.close());
    const { port } = await workbench({ strategy: 'round-robin', retries: { attempts: 3 } }, [resetter.url, ...good.map((b) => b.url)]);

    const getStatuses: number[] = [];
    const postStatuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      getStatuses.push((await send(port)).status);
      postStatuses.push((await send(port, { method: 'POST', headers: { 'x-id': String(i) }, body: 'payload' })).status);
    }
    expect(getStatuses.filter((s) => s !== 200)).toEqual([]);
    // Every POST arrived at most once; those that reached the resetting backend failed with 502 instead of being replayed.
    expect([...posts.values()].every((n) => n === 1)).toBe(true);
    expect(resetter.hits).toBeGreaterThan(0);
    for (const s of postStatuses) expect([200, 502]).toContain(s);
    expect(postStatuses.filter((s) => s === 200).length).toBe(posts.size);
  });

  it('publishes one stats snapshot per tick with the traffic it saw', async () => {
    const bs = await backends(2);
    const { wb, port } = await workbench({}, bs.map((b) => b.url));
    const ticks: number[] = [];
    let seen = 0;
    wb.subscribe((p) => {
      if (p.channel !== 'stats') return;
      ticks.push(p.snapshot.tick);
      seen += p.snapshot.services[0]!.requests;
    });
    await spread(port, 40);
    await waitFor(() => seen === 40, { timeoutMs: 5000 });
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0]! + i));
    const history = await wb.invoke('stats:history', {});
    expect(history.ok && history.value.reduce((n, s) => n + s.services[0]!.requests, 0)).toBe(40);
  });
});
