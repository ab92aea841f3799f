import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoBackend, type DemoBackendInput } from '../../../core/demo/demo-backend';
import { LbError } from '../../../core/model/errors';
import { waitFor } from '../../helpers/wait';
import { median, request } from './client';

const started: DemoBackend[] = [];
const agents: http.Agent[] = [];

async function start(spec: DemoBackendInput): Promise<DemoBackend> {
  const backend = new DemoBackend(spec);
  started.push(backend);
  await backend.start();
  return backend;
}

function keepAliveAgent(maxSockets = 10): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  agents.push(agent);
  return agent;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.stop()));
  for (const a of agents.splice(0)) a.destroy();
});

describe('DemoBackend', () => {
  it('answers JSON naming itself, the path, the method and the request number, with x-demo-backend', async () => {
    const b = await start({ name: 'alpha', latency: { ms: 0 } });
    expect(b.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const first = await request(`${b.url}/a?x=1`);
    const second = await request(`${b.url}/b`, { method: 'POST', body: Buffer.alloc(1234) });
    expect(first.status).toBe(200);
    expect(first.headers['x-demo-backend']).toBe('alpha');
    expect(JSON.parse(first.body)).toEqual({ backend: 'alpha', path: '/a?x=1', method: 'GET', n: 1 });
    expect(JSON.parse(second.body)).toEqual({ backend: 'alpha', path: '/b', method: 'POST', n: 2 });
    expect(b.stats()).toMatchObject({ served: 2, byStatus: { '200': 2 }, bodyBytes: 1234, inFlight: 0, queued: 0 });
  });

  it('rejects a bad spec with every problem listed', () => {
    const bad = () => new DemoBackend({ name: '', colour: 'red', errorRate: 2, capacity: 0 });
    expect(bad).toThrow(LbError);
    try {
      bad();
    } catch (err) {
      const e = err as LbError;
      expect(e.code).toBe('INPUT_INVALID');
      expect(new Set(e.issues?.map((i) => i.split(':')[0]))).toEqual(new Set(['name', 'colour', 'errorRate', 'capacity']));
    }
  });

  it('holds a fixed latency (median of 20 requests within 45-150 ms for 50 ms)', async () => {
    const b = await start({ name: 'fixed', latency: { distribution: 'fixed', ms: 50 } });
    const agent = keepAliveAgent();
    await request(b.url!, { agent }); // warm the connection
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) ms.push((await request(b.url!, { agent })).ms);
    expect(median(ms)).toBeGreaterThanOrEqual(45);
    expect(median(ms)).toBeLessThan(150);
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(45);
  });

  it('spreads a uniform latency over ms ± jitterMs', async () => {
    const b = await start({ name: 'uniform', latency: { distribution: 'uniform', ms: 60, jitterMs: 30 } });
    const agent = keepAliveAgent();
    await request(b.url!, { agent }); // warm the connection
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) ms.push((await request(b.url!, { agent })).ms);
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(28);
    expect(median(ms)).toBeGreaterThanOrEqual(45);
    expect(median(ms)).toBeLessThan(150);
    // 30 draws from 30-90 ms span most of it (a range under 20 ms has odds below 1e-10).
    expect(Math.max(...ms) - Math.min(...ms)).toBeGreaterThanOrEqual(20);
  });

  it('fails errorRate of the requests with errorStatus, within a binomial bound over 1000', async () => {
    const b = await start({ name: 'flaky', latency: { ms: 0 }, errorRate: 0.2, errorStatus: 503 });
    const agent = keepAliveAgent(20);
    const statuses: number[] = [];
    const client = async () => {
      while (statuses.length < 1000) statuses.push((await request(b.url!, { agent })).status);
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const n = statuses.length;
    const failed = statuses.filter((s) => s === 503).length;
    const sigma = Math.sqrt(n * 0.2 * 0.8);
    expect(Math.abs(failed - n * 0.2)).toBeLessThanOrEqual(4 * sigma);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(b.stats().byStatus).toEqual({ '200': n - failed, '503': failed });
  });

  it('queues beyond capacity, first come first served, so latency grows', async () => {
    const b = await start({ name: 'small', capacity: 2, latency: { ms: 100 } });
    const answers = Array.from({ length: 6 }, () => request(b.url!));
    await waitFor(() => b.stats().queued === 4 && b.stats().inFlight === 2, { message: '2 served and 4 queued' });
    const all = await Promise.all(answers);
    const order = all.map((a) => JSON.parse(a.body).n as number);
    const ms = all.map((a) => a.ms);
    // Served in arrival order, two at a time: arrivals 5 and 6 wait for two rounds first.
    const byArrival = order.map((n, i) => [n, ms[i]!] as const).sort((x, y) => x[0] - y[0]);
    expect(byArrival[4]![1]).toBeGreaterThanOrEqual(190);
    expect(byArrival[5]![1]).toBeGreaterThanOrEqual(190);
    expect(Math.max(...ms)).toBeGreaterThanOrEqual(280);
    expect(b.stats()).toMatchObject({ served: 6, inFlight: 0, queued: 0 });
  });

  it('forgets a queued request whose client left', async () => {
    const b = await start({ name: 'one', capacity: 1, latency: { ms: 200 } });
    const first = request(b.url!);
    const req = http.get(b.url!, { agent: false });
    req.on('error', () => {});
    await waitFor(() => b.stats().queued === 1);
    req.destroy();
    await waitFor(() => b.stats().queued === 0);
    expect((await first).status).toBe(200);
    await waitFor(() => b.stats().inFlight === 0);
    expect(b.stats().served).toBe(1);
  });

  it('answers /health by its healthy flag, without latency or errors', async () => {
    const b = await start({ name: 'h', latency: { ms: 5000 }, errorRate: 1 });
    const up = await request(`${b.url}/health`);
    expect(up).toMatchObject({ status: 200, body: 'ok' });
    expect(up.headers['x-demo-backend']).toBe('h');
    expect(up.ms).toBeLessThan(2000);
    b.update({ healthy: false });
    expect((await request(`${b.url}/health`)).status).toBe(503);
    b.update({ healthy: true });
    expect((await request(`${b.url}/health`)).status).toBe(200);
    expect(b.stats()).toMatchObject({ healthChecks: 3, served: 0 });
  });

  it('applies updates live and merges latency field by field', async () => {
    const b = await start({ name: 'live', colour: '#123456', latency: { distribution: 'uniform', ms: 0, jitterMs: 0 } });
    expect((await request(b.url!)).status).toBe(200);
    const next = b.update({ errorRate: 1, errorStatus: 502, latency: { jitterMs: 2 } });
    expect(next.latency).toEqual({ distribution: 'uniform', ms: 0, jitterMs: 2, tail: 5 });
    expect(next.colour).toBe('#123456');
    expect((await request(b.url!)).status).toBe(502);
    expect(() => b.update({ errorRate: -1 })).toThrow(/errorRate/);
    expect(() => b.update({ name: 'other' } as never)).toThrow(/renamed/);
    expect(b.spec.errorRate).toBe(1);
  });

  it('admits queued requests at once when capacity grows', async () => {
    const b = await start({ name: 'grow', capacity: 1, latency: { ms: 300 } });
    const answers = Array.from({ length: 3 }, () => request(b.url!));
    await waitFor(() => b.stats().queued === 2);
    b.update({ capacity: 3 });
    expect(b.stats()).toMatchObject({ inFlight: 3, queued: 0 });
    await Promise.all(answers);
  });

  it('stops promptly with idle keep-alive sockets and a request in flight, and restarts on the same port', async () => {
    const b = await start({ name: 'stop', latency: { ms: 0 } });
    const agent = keepAliveAgent(5);
    await Promise.all(Array.from({ length: 5 }, () => request(b.url!, { agent })));
    const url = b.url!;
    b.update({ latency: { ms: 30_000 } });
    const hanging = request(url, { agent: false }).then(
      () => 'answered',
      () => 'dropped',
    );
    await waitFor(() => b.stats().inFlight === 1);
    const t0 = performance.now();
    await b.stop();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await hanging).toBe('dropped');
    expect(b.url).toBeUndefined();
    await expect(request(url, { agent: false })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const again = await b.start();
    expect(again.url).toBe(url);
    b.update({ latency: { ms: 0 } });
    expect((await request(url, { agent: false })).status).toBe(200);
  });
});
